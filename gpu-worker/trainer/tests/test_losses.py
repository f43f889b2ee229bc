"""Losses against hand computations (plain Python loops, no vectorisation)."""
import math

import torch
import torch.nn.functional as F

from trainer.losses import M3Loss, colbert_scores, sparse_scores


def _lse(xs):
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs))


def _hand_unified(q, p, q_ids, p_ids, q_mask, G, t, special=(0, 1, 2, 3)):
    Q, P = len(q_ids), len(p_ids)

    def dense(i, j):
        return sum(a * b for a, b in zip(q["dense"][i].tolist(), p["dense"][j].tolist())) / t

    def lex(ids, w):
        d = {}
        for tok, x in zip(ids, w):
            if tok not in special:
                d[tok] = max(d.get(tok, 0.0), x)
        return d

    def sparse(i, j):
        a, b = lex(q_ids[i].tolist(), q["sparse"][i].tolist()), lex(p_ids[j].tolist(), p["sparse"][j].tolist())
        return sum(a[k] * b[k] for k in a if k in b) / t

    def colb(i, j):
        n = int(q_mask[i, 1:].sum())
        tot = 0.0
        for qi in q["colbert"][i].tolist():
            tot += max(sum(x * y for x, y in zip(qi, pj)) for pj in p["colbert"][j].tolist())
        return tot / n / t

    def ce(S, i):
        return _lse(S[i]) - S[i][i * G]

    Sd = [[dense(i, j) for j in range(P)] for i in range(Q)]
    Ss = [[sparse(i, j) for j in range(P)] for i in range(Q)]
    Sc = [[colb(i, j) for j in range(P)] for i in range(Q)]
    Se = [[Sd[i][j] + 0.3 * Ss[i][j] + Sc[i][j] for j in range(P)] for i in range(Q)]
    mean = lambda f: sum(f(i) for i in range(Q)) / Q  # noqa: E731
    L = (mean(lambda i: ce(Sd, i)) + mean(lambda i: ce(Se, i)) + 0.1 * mean(lambda i: ce(Ss, i))
         + mean(lambda i: ce(Sc, i))) / 4

    def kd(S):
        def one(i):
            z = _lse(Se[i])
            teacher = [math.exp(x - z) for x in Se[i]]
            lz = _lse(S[i])
            return -sum(pt * (s - lz) for pt, s in zip(teacher, S[i]))
        return mean(one)
    return (L + (kd(Sd) + 0.1 * kd(Ss) + kd(Sc)) / 3) / 2


def _fake_outputs(B, S, H, g, mask):
    return {"dense": F.normalize(torch.randn(B, H, generator=g, dtype=torch.float64), dim=-1),
            "sparse": torch.rand(B, S, generator=g, dtype=torch.float64),
            "colbert": F.normalize(torch.randn(B, S - 1, H, generator=g, dtype=torch.float64), dim=-1)
            * mask[:, 1:, None]}


def test_unified_loss_equals_hand_computation_2x3():
    g = torch.Generator().manual_seed(0)
    Q, G, H = 2, 3, 5
    q_ids = torch.tensor([[0, 5, 6, 5, 2], [0, 7, 8, 2, 1]])
    q_mask = (q_ids != 1).long()
    p_ids = torch.tensor([[0, 5, 9, 2, 1, 1], [0, 6, 6, 5, 7, 2], [0, 3, 8, 2, 1, 1],
                          [0, 7, 8, 8, 2, 1], [0, 5, 2, 1, 1, 1], [0, 9, 10, 7, 6, 2]])
    p_mask = (p_ids != 1).long()
    q = _fake_outputs(Q, 5, H, g, q_mask)
    p = _fake_outputs(Q * G, 6, H, g, p_mask)
    q["sparse"] = q["sparse"] * q_mask
    p["sparse"] = p["sparse"] * p_mask
    loss, stats = M3Loss("unified", temperature=0.05, group_size=G)(q, p, q_ids, q_mask, p_ids)
    hand = _hand_unified(q, p, q_ids, p_ids, q_mask, G, 0.05)
    assert abs(float(loss) - hand) < 1e-9, (float(loss), hand)


def test_dense_mode_is_infonce():
    g = torch.Generator().manual_seed(1)
    q = {"dense": F.normalize(torch.randn(2, 4, generator=g), dim=-1)}
    p = {"dense": F.normalize(torch.randn(6, 4, generator=g), dim=-1)}
    loss, _ = M3Loss("dense", temperature=0.1, group_size=3)(q, p, None, None, None)
    S = (q["dense"] @ p["dense"].T / 0.1).tolist()
    hand = sum(_lse(S[i]) - S[i][3 * i] for i in range(2)) / 2
    assert abs(float(loss) - hand) < 1e-5


def test_sparse_scores_match_vocabulary_scatter():
    """The compact-id implementation equals FlagEmbedding's [B, vocab] scatter."""
    g = torch.Generator().manual_seed(2)
    V = 50
    q_ids, p_ids = torch.randint(0, V, (3, 7), generator=g), torch.randint(0, V, (5, 9), generator=g)
    q_w, p_w = torch.rand(3, 7, generator=g), torch.rand(5, 9, generator=g)

    def vocab_vec(ids, w):
        out = torch.zeros(ids.size(0), V).scatter_reduce(1, ids, w, reduce="amax", include_self=True)
        out[:, [0, 1, 2, 3]] = 0
        return out
    ref = vocab_vec(q_ids, q_w) @ vocab_vec(p_ids, p_w).T
    assert torch.allclose(sparse_scores(q_ids, q_w, p_ids, p_w), ref, atol=1e-6)


def test_colbert_scores_chunking_and_formula():
    g = torch.Generator().manual_seed(3)
    q_mask = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1]])
    q = F.normalize(torch.randn(2, 3, 4, generator=g), dim=-1) * q_mask[:, 1:, None]
    p = F.normalize(torch.randn(5, 6, 4, generator=g), dim=-1)
    a, b = colbert_scores(q, q_mask, p, chunk=2), colbert_scores(q, q_mask, p, chunk=64)
    assert torch.allclose(a, b)
    ref = torch.stack([torch.stack([(q[i] @ p[j].T).max(-1).values.sum() / q_mask[i, 1:].sum()
                                    for j in range(5)]) for i in range(2)])
    assert torch.allclose(a, ref, atol=1e-6)


def test_duplicate_passages_are_not_negatives():
    """A passage equal to query i's positive (drawn as another group's negative) is masked out for query i."""
    from trainer.train import duplicate_mask
    passages = [[0, 5, 2], [0, 6, 2], [0, 7, 2], [0, 6, 2]]  # G=2: q0 -> (5, 6), q1 -> (7, 6): no dup of positives
    assert duplicate_mask(passages, 2, "cpu") is None
    passages = [[0, 5, 2], [0, 7, 2], [0, 7, 2], [0, 8, 2]]  # q0's negative is q1's positive
    dup = duplicate_mask(passages, 2, "cpu")
    assert dup.tolist() == [[False, False, False, False], [False, True, False, False]]
    g = torch.Generator().manual_seed(4)
    q = {"dense": F.normalize(torch.randn(2, 4, generator=g), dim=-1)}
    pd = F.normalize(torch.randn(4, 4, generator=g), dim=-1)
    pd[1] = pd[2]
    loss, stats = M3Loss("dense", temperature=0.1, group_size=2)(q, {"dense": pd}, None, None, None, dup)
    S = (q["dense"] @ pd.T / 0.1).tolist()
    hand = ((_lse(S[0]) - S[0][0]) + (_lse([S[1][0], S[1][2], S[1][3]]) - S[1][2])) / 2
    assert abs(float(loss) - hand) < 1e-4
