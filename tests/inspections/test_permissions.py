"""The yes/no questions of inspections.permissions, asked of the personas: who may act for which unit,
start a planned inspection, change a plan or a record."""

import pytest

from inspections import permissions
from inspections.choices import ActionStatus

pytestmark = pytest.mark.django_db


def test_only_writing_roles_may_enter(officer, township_a_user, department_user, leader):
    assert permissions.can_enter(officer)
    assert permissions.can_enter(township_a_user) and permissions.can_enter(department_user)
    assert not permissions.can_enter(leader)


def test_each_organises_for_its_own_units_only(officer, township_a_user, department_user, leader, district):
    assert permissions.can_organize(officer, district.township_b)
    assert permissions.can_organize(township_a_user, district.township_a)
    assert not permissions.can_organize(township_a_user, district.township_b)
    assert not permissions.can_organize(township_a_user, district.community_a)  # not an organising unit
    # A department's scope is its sectors, not a subtree: it still organises for itself, and only itself.
    assert permissions.can_organize(department_user, district.dept_construction)
    assert not permissions.can_organize(department_user, district.dept_emergency)
    assert not permissions.can_organize(leader, district.district)


def test_a_planned_inspection_is_completed_by_who_may_act_for_its_organiser(
    officer, township_a_user, team, enterprise_a, district, inspect
):
    planned = inspect(officer, district.township_a, team, [enterprise_a], status=ActionStatus.PLANNED)
    by_district = inspect(officer, district.district, team, [enterprise_a], status=ActionStatus.PLANNED)
    done = inspect(officer, district.township_a, team, [enterprise_a])

    assert permissions.can_complete(township_a_user, planned)
    assert not permissions.can_complete(township_a_user, by_district)
    assert not permissions.can_complete(township_a_user, done)


def test_a_record_is_changed_by_its_organising_unit_in_scope(
    officer, township_a_user, township_b_user, team, enterprise_a, district, inspect
):
    by_district = inspect(officer, district.district, team, [enterprise_a]).records.get()
    by_town = inspect(officer, district.township_a, team, [enterprise_a]).records.get()

    assert permissions.can_change_record(officer, by_district)
    assert not permissions.can_change_record(township_a_user, by_district)  # sees it, may not rewrite it
    assert permissions.can_change_record(township_a_user, by_town)
    assert not permissions.can_change_record(township_b_user, by_town)


def test_plans_are_made_by_who_has_an_organising_unit(officer, township_a_user, leader):
    assert permissions.can_create_plan(officer) and permissions.can_create_plan(township_a_user)
    assert not permissions.can_create_plan(leader)
