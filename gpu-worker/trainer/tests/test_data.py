"""Batch plan: deterministic, length grouping, one source per batch, source weights."""
from trainer.data import BatchPlan, Group, draw_passages


def _groups():
    gs = []
    for i in range(40):
        L = 3 + (i * 7) % 30
        gs.append(Group([0, 5, 2], [[0] + [6] * L + [2]], [[0] + [7] * (L // 2 + 1) + [2]] * 2,
                        "zh" if i % 4 == 0 else "en"))
    return gs


def _padding(gs, batches):
    real = pad = 0
    for b in batches:
        lens = [len(gs[i].pos[0]) for i in b]
        real += sum(lens)
        pad += max(lens) * len(lens) - sum(lens)
    return pad / (real + pad)


def test_plan_is_deterministic_and_covers_the_data():
    gs = _groups()
    a, b = BatchPlan(gs, 4, seed=1), BatchPlan(gs, 4, seed=1)
    assert a.epoch(0) == b.epoch(0) and a.epoch(1) == b.epoch(1) and a.epoch(0) != a.epoch(1)
    assert sorted(i for bt in a.epoch(0) for i in bt) == list(range(40))
    assert draw_passages(gs, a.epoch(0)[0], 3, 1, 0, 0) == draw_passages(gs, a.epoch(0)[0], 3, 1, 0, 0)


def test_length_grouping_cuts_padding():
    gs = _groups()
    assert _padding(gs, BatchPlan(gs, 4, 1, group_by_length=True).epoch(0)) < \
        0.5 * _padding(gs, BatchPlan(gs, 4, 1, group_by_length=False).epoch(0))


def test_same_source_and_weights():
    gs = _groups()
    for bt in BatchPlan(gs, 2, 1, same_source=True).epoch(0):
        assert len({gs[i].source for i in bt}) == 1
    plan = BatchPlan(gs, 2, 1, source_weights={"zh": 3.0, "en": 0.6})
    idx = [i for bt in plan.epoch(0) for i in bt]
    assert sum(gs[i].source == "zh" for i in idx) == 30 and sum(gs[i].source == "en" for i in idx) == 18


def test_ranks_get_disjoint_equal_shares():
    gs = _groups()
    r0, r1 = BatchPlan(gs, 4, 1, rank=0, world=2).epoch(0), BatchPlan(gs, 4, 1, rank=1, world=2).epoch(0)
    assert len(r0) == len(r1) == 5
    assert not {i for b in r0 for i in b} & {i for b in r1 for i in b}
