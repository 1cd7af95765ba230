"""attain.territories.rules: the order of precedence and the reasons, without a database."""

from __future__ import annotations

from decimal import Decimal

from attain.territories.rules import AccountFacts, Override, TerritoryRule, resolve

BAY = AccountFacts(1, region="West", state="CA", postcode="94107", industry="Software",
                   potential=Decimal("250000"))  # fmt: skip


def one(account, territories, listed=None, overrides=None):
    return resolve([account], territories, listed or {}, overrides)[account.id]


def test_lowest_priority_number_wins_over_specificity():
    broad = TerritoryRule(1, "All West", 5, region="West")
    narrow = TerritoryRule(2, "West/Bay Area", 10, region="West", postcode_prefix="941")
    assert one(BAY, [narrow, broad]).territory_name == "All West"


def test_on_equal_priority_the_most_specific_rule_wins_and_says_why():
    state = TerritoryRule(1, "California", 10, state="CA")
    bay = TerritoryRule(2, "West/Bay Area", 10, postcode_prefix="941", industry="software")
    got = one(BAY, [state, bay])
    assert got.territory_id == 2 and got.kind == "rule"
    assert got.reason == "postcode 941*, industry software → West/Bay Area"


def test_longer_postcode_prefix_wins_between_single_conditions():
    short = TerritoryRule(1, "94", 10, postcode_prefix="94")
    long = TerritoryRule(2, "West/Bay Area", 10, postcode_prefix="941")
    assert one(BAY, [short, long]).reason == "postcode 941* → West/Bay Area"


def test_listed_account_beats_rules_of_equal_priority_but_not_lower_numbers():
    listed = TerritoryRule(7, "Key accounts", 10, listed=True)
    rule = TerritoryRule(1, "California", 10, state="CA", postcode_prefix="941")
    got = one(BAY, [rule, listed], listed={1: {7}})
    assert (got.territory_name, got.reason, got.kind) == (
        "Key accounts", "listed account → Key accounts", "listed"
    )  # fmt: skip
    first = TerritoryRule(1, "California", 3, state="CA")
    assert one(BAY, [first, listed], listed={1: {7}}).territory_name == "California"
    # A list territory that does not name the account never catches it.
    assert one(BAY, [listed], listed={}).kind == "uncaught"


def test_override_beats_everything():
    rule = TerritoryRule(1, "California", 1, state="CA")
    pin = Override(1, 9, "Strategic", by="Ada Admin", note="CEO relationship")
    got = one(BAY, [rule], overrides={1: pin})
    assert got.territory_id == 9 and got.kind == "override"
    assert got.reason == "override by Ada Admin (CEO relationship) → Strategic"


def test_size_band_is_half_open_and_counts_as_a_condition():
    low, high = Decimal("250000"), Decimal("1000000")
    band = TerritoryRule(1, "Enterprise CA", 10, state="CA", potential_min=low, potential_max=high)
    state = TerritoryRule(2, "California", 10, state="CA")
    assert one(BAY, [state, band]).territory_name == "Enterprise CA"  # 2 conditions beat 1
    assert one(BAY, [band]).reason == "state CA, potential 250,000–1,000,000 → Enterprise CA"
    small = AccountFacts(2, state="CA", potential=Decimal("249999.99"))
    big = AccountFacts(3, state="CA", potential=Decimal("1000000"))
    assert one(small, [band, state]).territory_name == "California"
    assert one(big, [band, state]).territory_name == "California"


def test_uncaught_and_empty_rules_and_name_tie_break():
    empty = TerritoryRule(1, "Empty", 1)
    got = one(BAY, [empty])
    assert got.territory_id is None and got.reason == "no rule catches it"
    a = TerritoryRule(5, "Alpha", 10, state="CA")
    b = TerritoryRule(4, "Beta", 10, state="ca")
    assert one(BAY, [b, a]).territory_name == "Alpha"
