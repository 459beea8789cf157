"""Agencies as a hierarchy (pure): kinds, who is below whom, and the remedy bodies the hierarchy suggests.

A county information centre hosts the county government, its departments and its towns on one instance; a
municipal government may sit above. The tree decides who supervises whom (states.policy) and proposes the
reconsideration organ and the court printed in every remedy clause; the administrator confirms or edits both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class AgencyKind(StrEnum):
    GOVERNMENT = "government"  # 人民政府 (a county, a municipality, a town)
    DEPARTMENT = "department"  # 人民政府工作部门 (a 局, a 委, an office of the government)
    OTHER = "other"  # 派出机构、法律法规授权的组织 …: remedy bodies set by hand


KIND_LABELS: dict[AgencyKind, str] = {
    AgencyKind.GOVERNMENT: "人民政府（县、市、乡镇）",
    AgencyKind.DEPARTMENT: "政府工作部门（局、委、办）",
    AgencyKind.OTHER: "其他机关或组织",
}

CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


def guess_kind(name: str) -> AgencyKind:
    """A government by its name (…人民政府), else a department: the usual case, always editable."""
    return AgencyKind.GOVERNMENT if name.strip().endswith("人民政府") else AgencyKind.DEPARTMENT


def code_problem(code: str) -> str | None:
    """Why ``code`` cannot be an agency code (it appears in URLs, the command line and calendar scopes)."""
    if not code:
        return "机关代码不能为空"
    if len(code) > 64:
        return "机关代码不超过64个字符"
    if not set(code) <= CODE_CHARS:
        return "机关代码只能由小写英文字母、数字、短横线和下划线组成，例如 xx-zrzyj"
    return None


@dataclass(frozen=True)
class Node:
    """One agency as the hierarchy sees it."""

    id: int
    code: str
    name: str
    kind: AgencyKind
    parent_id: int | None
    active: bool = True


def children_map(nodes: Iterable[Node]) -> dict[int | None, list[Node]]:
    out: dict[int | None, list[Node]] = {}
    for n in nodes:
        out.setdefault(n.parent_id, []).append(n)
    for kids in out.values():
        kids.sort(key=lambda n: n.code)
    return out


def descendants(nodes: Iterable[Node], root_id: int) -> frozenset[int]:
    """Every agency below ``root_id`` (not itself), at any depth."""
    kids = children_map(nodes)
    seen: set[int] = set()
    todo = [root_id]
    while todo:
        for child in kids.get(todo.pop(), []):
            if child.id not in seen and child.id != root_id:
                seen.add(child.id)
                todo.append(child.id)
    return frozenset(seen)


def ancestors(by_id: Mapping[int, Node], agency_id: int) -> list[Node]:
    """The chain above ``agency_id``, nearest first (a cycle, which the workflow refuses, stops the walk)."""
    out: list[Node] = []
    seen = {agency_id}
    node = by_id.get(agency_id)
    while node is not None and node.parent_id is not None and node.parent_id not in seen:
        seen.add(node.parent_id)
        parent = by_id.get(node.parent_id)
        if parent is None:
            break
        out.append(parent)
        node = parent
    return out


def makes_cycle(by_id: Mapping[int, Node], agency_id: int, new_parent_id: int | None) -> bool:
    """Would putting ``agency_id`` under ``new_parent_id`` make it its own ancestor?"""
    if new_parent_id is None:
        return False
    return new_parent_id == agency_id or agency_id in {n.id for n in ancestors(by_id, new_parent_id)}


def tree_order(nodes: Iterable[Node]) -> list[tuple[Node, int]]:
    """Every agency with its depth, parents before their children (for lists shown as a tree)."""
    all_nodes = list(nodes)
    ids = {n.id for n in all_nodes}
    kids = children_map(all_nodes)
    roots = sorted((n for n in all_nodes if n.parent_id is None or n.parent_id not in ids), key=lambda n: n.code)
    out: list[tuple[Node, int]] = []
    seen: set[int] = set()

    def walk(n: Node, depth: int) -> None:
        if n.id in seen:
            return
        seen.add(n.id)
        out.append((n, depth))
        for c in kids.get(n.id, []):
            walk(c, depth + 1)

    for r in roots:
        walk(r, 0)
    return out


# ------------------------------------------------------------------ remedy bodies from the hierarchy

TOWN_SUFFIXES = ("乡", "镇", "民族乡", "苏木", "街道")


@dataclass(frozen=True)
class RemedyProposal:
    """The reconsideration organ and the court the hierarchy suggests, with the reason in plain Chinese."""

    reconsideration_organ: str
    litigation_court: str
    basis: str  # why (the articles), shown next to the fields


def place_of(government_name: str) -> str:
    """"某县人民政府" → "某县"; "某市某区人民政府" → "某市某区"."""
    return government_name.strip().removesuffix("人民政府")


def is_town(government_name: str) -> bool:
    return place_of(government_name).endswith(TOWN_SUFFIXES)


COUNTY_SUFFIXES = ("县", "区", "旗", "自治县", "自治旗", "特区", "林区")


def basic_court(place: str, county_level: bool) -> str:
    """The basic court of a county-level place ("某县" → "某县人民法院"); "" when the place may not be county-level
    (a prefecture-level city has no basic court of its own name)."""
    return f"{place}人民法院" if county_level or place.endswith(COUNTY_SUFFIXES) else ""


def intermediate_court(place: str) -> str:
    """The intermediate court of a municipal place: "某市" → "某市中级人民法院"."""
    return f"{place}中级人民法院"


CENTRALISED = "当地如实行行政案件集中管辖或跨区域管辖，请改为指定的法院。"
REVIEW_LAW = "《中华人民共和国行政复议法》第二十四条第一款"
LITIGATION_LAW = "《中华人民共和国行政诉讼法》"


def propose_remedy(agency: Node, chain: list[Node]) -> RemedyProposal | None:
    """The remedy bodies for ``agency`` from the chain above it (nearest first); None when the hierarchy
    does not say (no government directly above, or a kind whose bodies are set by hand). A court the
    hierarchy cannot name is "" (the administrator fills it in).

    行政复议法（2023）第二十四条第一款: 县级以上地方各级人民政府管辖对本级人民政府工作部门作出的行政行为（第（一）项）
    和对下一级人民政府作出的行政行为（第（二）项）不服的行政复议案件. 行政诉讼法第十四条、第十八条第一款: the basic
    court where the agency is; 第十五条第一款第（一）项: a case against a county-level or higher government goes to
    the intermediate court.
    """
    parent = chain[0] if chain else None
    if parent is None or parent.kind != AgencyKind.GOVERNMENT:
        return None
    place = place_of(parent.name)
    grand_is_government = len(chain) > 1 and chain[1].kind == AgencyKind.GOVERNMENT
    if agency.kind == AgencyKind.DEPARTMENT:
        if is_town(parent.name):
            return None  # a town government has no 工作部门 in the sense of 第二十四条
        court = basic_court(place, county_level=grand_is_government and not is_town(parent.name))
        return RemedyProposal(
            parent.name, court,
            f"本机关是{parent.name}的工作部门，行政复议机关为{parent.name}（{REVIEW_LAW}第（一）项）；"
            f"行政诉讼由本机关所在地的基层人民法院管辖（{LITIGATION_LAW}第十四条、第十八条第一款）。{CENTRALISED}")
    if agency.kind == AgencyKind.GOVERNMENT:
        if is_town(agency.name):
            return RemedyProposal(
                parent.name, basic_court(place, county_level=True),
                f"本机关是乡镇人民政府，行政复议机关为上一级的{parent.name}（{REVIEW_LAW}第（二）项）；"
                f"行政诉讼由所在地的基层人民法院管辖（{LITIGATION_LAW}第十四条、第十八条第一款）。{CENTRALISED}")
        return RemedyProposal(
            parent.name, intermediate_court(place),
            f"本机关是县级以上地方人民政府，行政复议机关为上一级的{parent.name}（{REVIEW_LAW}第（二）项）；"
            f"以县级以上地方人民政府为被告的行政诉讼由中级人民法院管辖（{LITIGATION_LAW}第十五条第一款第（一）项）。"
            f"{CENTRALISED}")
    return None
