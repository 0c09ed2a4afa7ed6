"""Rows: the coarsest partition of the versions' sentences that all alignments to the pivot agree on.

A pivot bead is a row unless another version's bead joins it to its neighbour (zh 11 and 12 are one row when ar
says them in one sentence, even though en keeps them apart). A sentence that matches nothing in the pivot (a 0-1
bead) gets a row of its own, in the document order of its version; when several versions add sentences at the same
place, those additions are aligned to each other so that a sentence the pivot lacks but two versions share sits in
one row.
"""
from __future__ import annotations

from dataclasses import dataclass

from triglot_server.engine import alignment as alignment_module
from triglot_server.engine.comparison.model import Aligner
from triglot_server.engine.types import Bead


@dataclass
class RowSpec:
    """A row under construction: per version, its sentence ids, which of them are added (0-1 beads) or whose
    pivot sentences it omits (1-0 beads), and the scores of the beads involved."""

    ids: list[list[int]]
    scores: list[float]
    added: list[set[int]]  # per version: ids that came from 0-1 beads (no pivot counterpart)
    omitted: list[set[int]]  # per version: pivot ids of this row that the version has no counterpart for
    weak: list[float]  # per version: lowest score among its beads in this row
    beads: list[list[Bead]]  # per version: its beads (to the pivot) that fall in this row
    gap: bool = False  # a row of sentences the pivot lacks (aligned among the versions that have them)

    @classmethod
    def empty(cls, n: int) -> RowSpec:
        return cls([[] for _ in range(n)], [0.0] * n, [set() for _ in range(n)], [set() for _ in range(n)],
                   [1.0] * n, [[] for _ in range(n)])

    def linked(self, p: int, a: int, sentence: int, b: int) -> list[int]:
        """Version b's sentences that version a's `sentence` is aligned with in this row (through the pivot)."""
        if self.gap:
            return list(self.ids[b])
        pivot = {sentence} if a == p else {i for bead in self.beads[a] if sentence in bead.target_ids
                                           for i in bead.source_ids}
        if b == p:
            return sorted(pivot - self.omitted[a]) if a != p else sorted(pivot)
        return sorted(t for bead in self.beads[b] if set(bead.source_ids) & pivot for t in bead.target_ids)

    def material(self, p: int, a: int, b: int) -> list[int]:
        """Version a's sentences in this row that are linked to version b's (what a and b can be compared on):
        without sentences a adds, pivot sentences b omits, or a's counterparts of those."""
        if self.gap:
            return list(self.ids[a]) if self.ids[b] else []
        ids = set(self.ids[a]) - self.added[a]
        if a == p:
            ids -= self.omitted[b]
        elif b != p and self.omitted[b]:
            ids -= {t for bead in self.beads[a] if bead.source_ids and set(bead.source_ids) <= self.omitted[b]
                    for t in bead.target_ids}
        return sorted(ids)


def join(p: int, links: dict[int, list[Bead]], n_pivot: int, texts: list[list[str]], languages: list[str],
          aligner: Aligner) -> list[RowSpec]:
    """Rows from each version's beads against pivot `p` (which may be empty in rows of additions)."""
    n = len(texts)
    # 1. Pivot groups: a cut between pivot sentences i-1 and i survives unless some bead spans it.
    joined = [False] * (n_pivot + 1)
    for beads in links.values():
        for b in beads:
            for i in b.source_ids[1:]:
                joined[i] = True
    group_of, groups = [0] * n_pivot, []
    for i in range(n_pivot):
        if i == 0 or not joined[i]:
            groups.append(RowSpec.empty(n))
            groups[-1].scores[p] = 1.0
        group_of[i] = len(groups) - 1
        groups[-1].ids[p].append(i)

    # 2. Each version's beads into the groups; 0-1 beads into the gap after the previous group (or into the group
    # itself when the group spans both sides of the addition, which keeps every column in document order).
    gaps: dict[int, dict[int, list[tuple[int, Bead]]]] = {}
    for v, beads in links.items():
        following_group: list[int | None] = [None] * (len(beads) + 1)  # group of the next bead with pivot ids
        for k in range(len(beads) - 1, -1, -1):
            following_group[k] = group_of[beads[k].source_ids[0]] if beads[k].source_ids else following_group[k + 1]
        last = -1
        for k, b in enumerate(beads):
            if b.source_ids:
                g = group_of[b.source_ids[0]]
                spec = groups[g]
                spec.ids[v].extend(b.target_ids)
                spec.beads[v].append(b)
                spec.weak[v] = min(spec.weak[v], b.score)
                if not b.target_ids:
                    spec.omitted[v].update(b.source_ids)
                last = g
                continue
            if following_group[k] is not None and following_group[k] == last:
                spec = groups[last]
                spec.ids[v].extend(b.target_ids)
                spec.added[v].update(b.target_ids)
                spec.beads[v].append(b)
                spec.weak[v] = min(spec.weak[v], b.score)
            else:
                gaps.setdefault(last, {}).setdefault(v, []).extend((t, b) for t in b.target_ids)
    for spec in groups:
        for v in links:
            spec.ids[v].sort()
            spec.scores[v] = cell_score(spec, v)

    # 3. Rows in order: each group, then the additions placed after it.
    rows: list[RowSpec] = []
    for g in range(-1, len(groups)):
        if g >= 0:
            rows.append(groups[g])
        if g in gaps:
            rows.extend(gap_rows(gaps[g], texts, languages, aligner))
    return rows


def cell_score(spec: RowSpec, v: int) -> float:
    """The weakest bead linking version v's cell to the pivot (an empty cell: the confidence of its omission)."""
    return min((b.score for b in spec.beads[v]), default=0.0)


def gap_rows(runs: dict[int, list[tuple[int, Bead]]], texts: list[list[str]], languages: list[str],
              aligner: Aligner) -> list[RowSpec]:
    """Rows for sentences that several (or one) versions add at the same place: aligned among themselves."""
    n = len(texts)
    order = sorted(runs)
    local_pivot = order[0]
    pivot_ids = [t for t, _ in runs[local_pivot]]
    beads_of = {v: {t: b for t, b in runs[v]} for v in order}
    if len(order) == 1:
        local_links: dict[int, list[Bead]] = {}
    else:
        local_links = {}
        for v in order[1:]:
            ids = [t for t, _ in runs[v]]
            al = aligner([texts[local_pivot][i] for i in pivot_ids], [texts[v][i] for i in ids],
                         languages[local_pivot], languages[v])
            alignment_module.check_coverage(al.beads, len(pivot_ids), len(ids), "of added sentences")
            # Back to the versions' own sentence ids.
            local_links[v] = [Bead(tuple(pivot_ids[i] for i in b.source_ids), tuple(ids[j] for j in b.target_ids),
                                   b.score) for b in al.beads]
    # Reuse the join with the local pivot; its "pivot ids" are not contiguous from 0, so map through positions.
    position = {t: k for k, t in enumerate(pivot_ids)}
    shifted = {v: [Bead(tuple(position[i] for i in b.source_ids), b.target_ids, b.score) for b in beads]
               for v, beads in local_links.items()}
    rows = join(local_pivot, shifted, len(pivot_ids), texts, languages, aligner)
    for spec in rows:
        spec.ids[local_pivot] = [pivot_ids[k] for k in spec.ids[local_pivot]]
        spec.gap = True
        spec.omitted = [set() for _ in range(n)]  # omissions among additions are not omissions from the pivot
        spec.beads = [[] for _ in range(n)]
        for v in order:
            spec.added[v] = set(spec.ids[v])
            spec.beads[v] = [beads_of[v][t] for t in spec.ids[v]]
            spec.weak[v] = min((b.score for b in spec.beads[v]), default=1.0)
        spec.scores = [cell_score(spec, v) for v in range(n)]
    return rows
