"""Checks for the lists that write their rows themselves (complaints.console.changelist
.RowsChangeList): the rows must be what the admin's items_for_result writes."""

from django.contrib.admin.templatetags.admin_list import results
from django.utils import translation


def rows_as_the_admin_writes_them(response, language: str) -> list[str]:
    """The served list's own rows, after checking them against the admin's rows for the same
    page and finding each one in the page."""
    assert response.status_code == 200
    cl = response.context["cl"]
    with translation.override(language):
        ours = [str(row) for row in cl.rows()]
        admins = ["".join(str(item) for item in row) for row in results(cl)]
    assert ours == admins
    html = response.content.decode()
    for row in ours:
        assert f"<tr>{row}</tr>" in html
    return ours


def assert_a_popup_gets_the_admins_rows(client, url: str) -> None:
    response = client.get(url, {"_popup": "1", "_to_field": "id"})
    assert response.status_code == 200
    assert response.context["cl"].rows() is None
    assert "data-popup-opener" in response.content.decode()
