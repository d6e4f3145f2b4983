"""The transition table on its own: no database."""

from collections import deque

import pytest

from complaints.workflow import (
    CUSTOMER_LABELS,
    OPEN_STATES,
    TECHNICIAN_STATES,
    TERMINAL_STATES,
    TRANSITION_FIELDS,
    TRANSITIONS,
    CaseStatus,
    Effect,
    customer_label,
    find_transition,
    transitions_from,
)
from staff.roles import Role

S = CaseStatus


def test_every_state_has_a_customer_label():
    assert set(CUSTOMER_LABELS) == set(CaseStatus)
    assert all(str(label).strip() for label in CUSTOMER_LABELS.values())


def test_customer_labels_are_the_ones_pln_mobile_shows():
    with_field_work = {status: customer_label(status) for status in CaseStatus}

    assert with_field_work[S.RECEIVED] == "Lapor"
    assert with_field_work[S.ASSIGNED] == "Penugasan Regu"
    assert with_field_work[S.DISPATCHED] == "Dalam Perjalanan"
    assert with_field_work[S.ON_SITE] == "Dalam Pengerjaan"
    assert with_field_work[S.RESOLVED] == "Nyala"
    assert with_field_work[S.CLOSED] == "Selesai"


def test_back_office_resolution_is_not_called_nyala():
    assert customer_label(S.RESOLVED, field_work=False) == "Sudah Ditangani"
    assert customer_label(S.CLOSED, field_work=False) == "Selesai"


def test_every_transition_requires_only_known_fields():
    for transition in TRANSITIONS:
        assert set(transition.required) <= set(TRANSITION_FIELDS), transition
        assert set(transition.optional) <= set(TRANSITION_FIELDS), transition
        assert not set(transition.required) & set(transition.optional), transition


def test_every_transition_has_roles_and_known_effects():
    for transition in TRANSITIONS:
        assert transition.roles, transition
        assert transition.roles <= set(Role), transition
        assert set(transition.effects) <= set(Effect), transition


def test_each_edge_is_declared_once():
    edges = [(t.source, t.target) for t in TRANSITIONS]

    assert len(edges) == len(set(edges))


def test_no_transition_leaves_a_terminal_state():
    assert {S.REJECTED, S.MERGED} == TERMINAL_STATES
    assert [t for t in TRANSITIONS if t.source in TERMINAL_STATES] == []


def test_a_closed_case_only_leaves_to_reopened():
    assert [t.target for t in TRANSITIONS if t.source == S.CLOSED] == [S.REOPENED]


def test_every_state_is_reachable_from_received():
    seen = {S.RECEIVED}
    queue = deque([S.RECEIVED])
    while queue:
        for transition in transitions_from(queue.popleft()):
            if transition.target not in seen:
                seen.add(transition.target)
                queue.append(transition.target)

    assert seen == set(CaseStatus)


def test_every_open_state_can_still_end():
    """From each open state some path leads to closed, rejected or merged."""
    ends = {S.CLOSED, *TERMINAL_STATES}
    for start in OPEN_STATES:
        seen = {start}
        queue = deque([start])
        while queue:
            for transition in transitions_from(queue.popleft()):
                if transition.target not in seen:
                    seen.add(transition.target)
                    queue.append(transition.target)
        assert seen & ends, start


def test_technician_states_need_a_technician_to_enter():
    entering = [t for t in TRANSITIONS if t.target == S.ASSIGNED]

    assert {t.source for t in entering} == {S.VERIFIED, S.REOPENED}
    assert all("technician" in t.required for t in entering)
    assert {S.ASSIGNED, S.DISPATCHED, S.ON_SITE} == TECHNICIAN_STATES


def test_leaving_field_work_early_releases_the_technician():
    leaving = [
        t
        for t in TRANSITIONS
        if t.source in TECHNICIAN_STATES and t.target not in TECHNICIAN_STATES
    ]

    assert {(t.source, t.target) for t in leaving} == {
        (S.ASSIGNED, S.VERIFIED),
        (S.ASSIGNED, S.MERGED),
        (S.ON_SITE, S.RESOLVED),
        # An outage incident's restoration (system only) resolves reports already assigned.
        (S.ASSIGNED, S.RESOLVED),
        (S.DISPATCHED, S.RESOLVED),
    }
    assert all(Effect.RELEASE_TECHNICIAN in t.effects for t in leaving)


def test_rejecting_reopening_and_merging_need_their_fields():
    assert find_transition(S.RECEIVED, S.REJECTED).required == ("reason",)
    assert find_transition(S.CLOSED, S.REOPENED).required == ("reason",)
    assert find_transition(S.ON_SITE, S.RESOLVED).required == ("resolution",)
    assert find_transition(S.VERIFIED, S.ASSIGNED).required == ("technician",)
    assert find_transition(S.VERIFIED, S.MERGED).required == ("merged_into",)


def test_find_transition_returns_none_for_an_undeclared_edge():
    assert find_transition(S.RECEIVED, S.CLOSED) is None
    assert find_transition("closed", "verified") is None


def test_transitions_from_without_roles_lists_every_move_out():
    assert {t.target for t in transitions_from(S.RECEIVED)} == {
        S.VERIFIED,
        S.WAITING_CUSTOMER,
        S.REJECTED,
        S.MERGED,
    }


@pytest.mark.parametrize(
    ("role", "targets"),
    [
        (Role.AGENT, {S.VERIFIED, S.WAITING_CUSTOMER, S.REJECTED, S.MERGED}),
        (Role.SYSTEM, {S.VERIFIED, S.WAITING_CUSTOMER, S.MERGED}),
        (Role.TECHNICIAN, set()),
        (Role.CUSTOMER, set()),
        (Role.MANAGER, set()),
    ],
)
def test_transitions_from_received_filtered_by_role(role, targets):
    assert {t.target for t in transitions_from(S.RECEIVED, frozenset({role}))} == targets


def test_transitions_from_on_site_only_for_field_roles():
    assert [t.target for t in transitions_from(S.ON_SITE, frozenset({Role.TECHNICIAN}))] == [
        S.RESOLVED
    ]
    assert transitions_from(S.ON_SITE, frozenset({Role.AGENT})) == []


def test_transitions_from_with_several_roles_is_the_union():
    agent = {t.target for t in transitions_from(S.RESOLVED, frozenset({Role.AGENT}))}
    customer = {t.target for t in transitions_from(S.RESOLVED, frozenset({Role.CUSTOMER}))}
    both = {t.target for t in transitions_from(S.RESOLVED, frozenset({Role.AGENT, Role.CUSTOMER}))}

    assert both == agent | customer == {S.CLOSED, S.REOPENED}


def test_transitions_from_with_no_roles_allows_nothing():
    assert transitions_from(S.RECEIVED, frozenset()) == []
