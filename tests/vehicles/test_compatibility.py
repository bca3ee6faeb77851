"""What fits what: trucks, pads, express terms, retired models and serials. Pure rules."""

from __future__ import annotations

from decimal import Decimal

from vehicles.compatibility import (
    express_terms_problem,
    join_names,
    model_in_service_problem,
    pad_campaign_problem,
    pad_serves_problem,
    platform_carries_problem,
    vehicle_in_service_problem,
)


def test_a_truck_carries_the_models_it_was_built_for():
    assert (
        platform_carries_problem(
            platform_name="TEL-3", carried_model_names=["Kuaizhou-1A"], model_name="Kuaizhou-1A"
        )
        is None
    )
    assert (
        platform_carries_problem(
            platform_name="TEL-3", carried_model_names=["Kuaizhou-1A"], model_name="Kuaizhou-11"
        )
        == "TEL-3 carries Kuaizhou-1A, not Kuaizhou-11"
    )
    assert (
        platform_carries_problem(
            platform_name="TEL-3", carried_model_names=["Kuaizhou-1A", "Kuaizhou-1"], model_name="Kuaizhou-11"
        )
        == "TEL-3 carries Kuaizhou-1 and Kuaizhou-1A, not Kuaizhou-11"
    )
    assert platform_carries_problem(platform_name="TEL-9", carried_model_names=[], model_name="Ceres-1") == (
        "TEL-9 is not listed to carry any vehicle model, so not Ceres-1"
    )


def test_a_pad_serves_its_family_or_the_models_it_lists():
    assert (
        pad_serves_problem(
            pad_label="Wenchang LC-101",
            served_model_names=[],
            served_families=["Long March 5"],
            model_name="Long March 6",
            model_family="Long March 6",
        )
        == "Wenchang LC-101 serves Long March 5, not Long March 6"
    )
    assert (
        pad_serves_problem(
            pad_label="Taiyuan LC-16",
            served_model_names=[],
            served_families=["Long March 6"],
            model_name="Long March 6",
            model_family="Long March 6",
        )
        is None
    )
    assert (
        pad_serves_problem(
            pad_label="Jiuquan LC-43/95",
            served_model_names=["Ceres-1"],
            served_families=[],
            model_name="Ceres-1",
            model_family="",
        )
        is None
    )
    assert (
        pad_serves_problem(
            pad_label="Xichang LC-2",
            served_model_names=[],
            served_families=[],
            model_name="Ceres-1",
            model_family="Ceres",
        )
        == "Xichang LC-2 is not listed to serve any vehicle, so not Ceres-1"
    )


def test_a_model_without_a_family_is_not_served_by_an_empty_family_entry():
    assert (
        pad_serves_problem(
            pad_label="P", served_model_names=[], served_families=[""], model_name="X", model_family=""
        )
        == "P is not listed to serve any vehicle, so not X"
    )


def test_express_terms_need_a_mobile_express_capable_rocket():
    assert (
        express_terms_problem(
            model_name="Kuaizhou-1A", express_capable=True, mobile_launch=True, propellant="mixed"
        )
        is None
    )
    assert (
        express_terms_problem(
            model_name="Long March 6", express_capable=False, mobile_launch=False, propellant="liquid"
        )
        == "Long March 6 cannot be launched on express terms: it is liquid-fuelled and it flies from a fixed pad"
    )
    assert (
        express_terms_problem(
            model_name="Ceres-1", express_capable=False, mobile_launch=True, propellant="mixed"
        )
        == "Ceres-1 cannot be launched on express terms: its provider does not offer it on express terms"
    )


def test_retired_models_and_serials_never_fly():
    assert model_in_service_problem(model_name="Kuaizhou-1A", active=True) is None
    assert model_in_service_problem(model_name="Zhuque-1", active=False) == (
        "Zhuque-1 is retired: it is no longer scheduled, quoted or offered"
    )
    assert (
        vehicle_in_service_problem(
            serial="KZ1A-Y7", status="ready_storage", model_name="Kuaizhou-1A", model_active=True
        )
        is None
    )
    assert vehicle_in_service_problem(
        serial="ZQ1-Y2", status="ready_storage", model_name="Zhuque-1", model_active=False
    ) == ("ZQ1-Y2 is a Zhuque-1, and Zhuque-1 is retired")
    assert vehicle_in_service_problem(
        serial="KZ1A-Y3", status="retired", model_name="Kuaizhou-1A", model_active=True
    ) == ("KZ1A-Y3 is retired and will not fly again")


def test_a_rocket_gets_its_minimum_campaign_at_the_pad():
    assert (
        pad_campaign_problem(
            model_name="Long March 6", min_pad_campaign_hours=Decimal("240.0"), hours_at_pad=240
        )
        is None
    )
    assert pad_campaign_problem(
        model_name="Long March 6", min_pad_campaign_hours=Decimal("240.0"), hours_at_pad=72
    ) == ("Long March 6 needs 240 h at the pad before lift-off; this window leaves 72 h")


def test_names_join_in_plain_english():
    assert join_names([]) == ""
    assert join_names(["A"]) == "A"
    assert join_names(["B", "A", "C"]) == "A, B and C"
