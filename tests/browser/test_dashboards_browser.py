"""The supervisor board and the manager dashboard in a real browser: each role lands on its
page from /admin/, the charts are drawn (SVG with marks in it), the board reloads itself, and
screenshots are kept under test-results/browser/."""

from datetime import timedelta

import pytest

from complaints import clock
from complaints.workflow import CaseStatus
from staff.dashboards.rollups import refresh_rollups
from tests import factories
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_console_browser import PASSWORD
from tests.dashboards.conftest import WIB, WITA, at, make_case
from tests.reference_data import ensure_reference_data

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def reference_data(transactional_db) -> None:
    # The flush after a transactional test removes the roles and categories seeded by
    # migrations; put them back before the personas are made.
    ensure_reference_data()


def login(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


def busy_month(world) -> None:
    """A month of cases in both units: every chart has something to draw."""
    today = clock.now().astimezone(WIB).date()
    channels = ["whatsapp", "app", "call_center", "web", "social", "email"]
    categories = ["padam-rumah", "tegangan", "tagihan", "meter", "token"]
    for n in range(60):
        day = today - timedelta(days=n % 28)
        unit, zone = (world.unit_a, WIB) if n % 3 else (world.unit_b, WITA)
        created = at(day, 7 + n % 12, (n * 7) % 60, zone)
        if created > clock.now():
            created -= timedelta(days=1)
        resolved = n % 4 != 0
        make_case(
            unit,
            created=created,
            channel=channels[n % len(channels)],
            category_code=categories[n % len(categories)],
            status=CaseStatus.CLOSED if resolved else CaseStatus.VERIFIED,
            first_response=created + timedelta(minutes=5 + n % 50),
            response_due=created + timedelta(minutes=30),
            resolved=created + timedelta(minutes=40 + 17 * n) if resolved else None,
            resolution_due=created + timedelta(hours=6)
            if resolved
            else created + timedelta(hours=2),
        )
    for unit, customers in ((world.unit_a, 40), (world.unit_b, 25)):
        for _ in range(customers):
            factories.make_customer(unit)
    refresh_rollups(full=True)


def assert_chart_drawn(page, selector: str) -> None:
    chart = page.locator(selector)
    chart.wait_for()
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 200
    assert box["height"] > 50
    marks = chart.locator("rect, circle, polyline").count()
    assert marks > 0


def test_supervisor_lands_on_a_board_that_draws_and_refreshes_itself(world, live_server, page):
    busy_month(world)
    login(page, live_server, world.supervisor_a.username)

    assert page.url.endswith("/admin/dashboards/board/")
    assert_chart_drawn(page, "#section-status svg.chart")
    first = page.get_attribute("#board-generated", "data-generated")
    # The board reloads its content in place every 60 s and when the tab becomes visible
    # again; the test takes the second path rather than wait a minute.
    with page.expect_response(lambda response: "fragment=1" in response.url):
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_function(
        f"document.getElementById('board-generated').dataset.generated !== '{first}'"
    )
    assert page.locator("#section-breached table tbody tr").count() > 0
    page.screenshot(path=str(SCREENSHOTS / "dashboard-supervisor-board.png"), full_page=True)


def test_manager_lands_on_a_dashboard_with_charts_in_both_languages(world, live_server, page):
    busy_month(world)
    login(page, live_server, world.manager.username)

    assert page.url.endswith("/admin/dashboards/manager/")
    for section in ("daily", "sla", "categories", "units", "backlog", "top_areas"):
        assert_chart_drawn(page, f"#section-{section} svg.chart")
    assert "Belum ada jawaban survei" in page.inner_text("#section-satisfaction")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-manager-id.png"), full_page=True)

    page.select_option("#language-switch select", "en")
    page.wait_for_selector("h1:has-text('Manager dashboard')")
    assert_chart_drawn(page, "#section-daily svg.chart")
    assert "No survey answers yet" in page.inner_text("#section-satisfaction")
    page.screenshot(path=str(SCREENSHOTS / "dashboard-manager-en.png"), full_page=True)
