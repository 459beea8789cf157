"""The agency tree (states.agencies): descendants, cycles, tree order, and the remedy bodies proposed under
行政复议法（2023）第二十四条 and 行政诉讼法第十四条、第十五条、第十八条."""

from __future__ import annotations

from states.agencies import (
    AgencyKind,
    Node,
    ancestors,
    code_problem,
    descendants,
    guess_kind,
    makes_cycle,
    propose_remedy,
    tree_order,
)

G, D = AgencyKind.GOVERNMENT, AgencyKind.DEPARTMENT
CITY = Node(1, "city", "某市人民政府", G, None)
COUNTY = Node(2, "county", "某市某县人民政府", G, 1)
LAND = Node(3, "land", "某县自然资源局", D, 2)
EDU = Node(4, "edu", "某县教育体育局", D, 2)
TOWN = Node(5, "town", "某县某镇人民政府", G, 2)
OTHER = Node(6, "alone", "另一县财政局", D, None)
NODES = [CITY, COUNTY, LAND, EDU, TOWN, OTHER]
BY_ID = {n.id: n for n in NODES}


def test_descendants_and_ancestors() -> None:
    assert descendants(NODES, 1) == {2, 3, 4, 5}
    assert descendants(NODES, 2) == {3, 4, 5}
    assert descendants(NODES, 3) == frozenset()
    assert [n.code for n in ancestors(BY_ID, 3)] == ["county", "city"]
    assert ancestors(BY_ID, 1) == []


def test_a_cycle_is_detected() -> None:
    assert makes_cycle(BY_ID, 1, 3)  # the city under its own grandchild
    assert makes_cycle(BY_ID, 2, 2)
    assert not makes_cycle(BY_ID, 3, 4)
    assert not makes_cycle(BY_ID, 6, None)


def test_tree_order_puts_parents_first() -> None:
    order = [(n.code, depth) for n, depth in tree_order(NODES)]
    assert order == [("alone", 0), ("city", 0), ("county", 1), ("edu", 2), ("land", 2), ("town", 2)]


def test_codes_and_kinds() -> None:
    assert code_problem("xx-zrzyj") is None
    assert code_problem("") and code_problem("某局") and code_problem("A B")
    assert guess_kind("某县人民政府") == G and guess_kind("某县自然资源局") == D


def test_department_proposal_names_its_government_and_the_basic_court() -> None:
    p = propose_remedy(LAND, ancestors(BY_ID, 3))
    assert p is not None
    assert p.reconsideration_organ == "某市某县人民政府"
    assert p.litigation_court == "某市某县人民法院"
    assert "第二十四条第一款第（一）项" in p.basis


def test_county_government_goes_to_the_city_and_the_intermediate_court() -> None:
    p = propose_remedy(COUNTY, ancestors(BY_ID, 2))
    assert p is not None
    assert (p.reconsideration_organ, p.litigation_court) == ("某市人民政府", "某市中级人民法院")
    assert "第十五条第一款第（一）项" in p.basis


def test_town_government_goes_to_the_county() -> None:
    p = propose_remedy(TOWN, ancestors(BY_ID, 5))
    assert p is not None
    assert (p.reconsideration_organ, p.litigation_court) == ("某市某县人民政府", "某市某县人民法院")


def test_no_proposal_without_a_government_above() -> None:
    assert propose_remedy(OTHER, []) is None
    assert propose_remedy(CITY, []) is None
    sub = Node(7, "sub", "某县自然资源局某所", AgencyKind.OTHER, 3)
    assert propose_remedy(sub, [LAND, COUNTY, CITY]) is None


def test_a_department_of_a_city_gets_no_guessed_court() -> None:
    dept = Node(8, "city-land", "某市自然资源局", D, 1)
    p = propose_remedy(dept, [CITY])
    assert p is not None and p.reconsideration_organ == "某市人民政府" and p.litigation_court == ""
