from django.utils import translation

from staff.models import StaffMember


class StaffLanguageMiddleware:
    """Staff read the console in the language they chose (StaffMember.language), whatever
    their browser says. Runs after AuthenticationMiddleware and LocaleMiddleware."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Loaded with the user by staff.backends; looked up for a user from elsewhere.
            language = getattr(user, "_aduan_language", None)
            if language is None:
                language = (
                    StaffMember.objects.filter(user_id=user.pk)
                    .values_list("language", flat=True)
                    .first()
                )
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
