"""The case list's changelist: a name search pages by look-ahead instead of a count."""

from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.urls import reverse
from django.utils.functional import cached_property

from complaints.paginators import LookAheadPaginator
from complaints.selectors import is_name_search


def requested_page(request) -> int:
    # As ChangeList reads it: anything that is not a number is the first page.
    try:
        return int(request.GET.get(PAGE_VAR, 1))
    except ValueError:
        return 1


# Stands for the case id in the change URL reversed once per page (see url_for_result).
_SOME_CASE_ID = 987654321987654321


class CaseChangeList(ChangeList):
    def get_results(self, request):
        looking_ahead = is_name_search(self.query)
        if looking_ahead:
            # "Show all" would read every match of the fragment (tens of thousands at 10M).
            self.show_all = False
        super().get_results(request)
        if looking_ahead and isinstance(self.paginator, LookAheadPaginator):
            self.can_show_all = False
            if not self.multi_page and self.page_num == 1:
                # Every match fits on the page and was read by the look-ahead; the admin
                # would read them again without a limit.
                self.result_list = self.paginator.page(1).object_list

    @cached_property
    def _change_url(self) -> str:
        return reverse(
            "admin:complaints_case_change",
            args=(_SOME_CASE_ID,),
            current_app=self.model_admin.admin_site.name,
        )

    def url_for_result(self, result) -> str:
        # The admin reverses the change URL for every row; case ids are integers, so one
        # reversal serves the page.
        return self._change_url.replace(str(_SOME_CASE_ID), str(result.pk))
