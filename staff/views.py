from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from staff.models import StaffMember


@login_required
@require_POST
def set_staff_language(request):
    """Remember the console language per user (not per browser: agents share desks)."""
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        StaffMember.objects.update_or_create(user=request.user, defaults={"language": language})
    target = request.POST.get("next", "/admin/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/admin/"
    return HttpResponseRedirect(target)
