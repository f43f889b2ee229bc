import math

from trainer.demo.bm25 import BM25, tokens
from trainer.demo.heldout import ndcg10


def test_tokens_chinese_bigrams_and_lowercase_words():
    assert tokens("肝炎 Liver-Disease 2") == ["肝炎", "liver", "disease", "2"]
    assert tokens("脂肪肝") == ["脂肪", "肪肝"]
    assert tokens("胃") == ["胃"]


def test_okapi_scores_match_the_formula():
    docs = ["liver disease", "heart disease disease", "kidney"]
    bm = BM25(docs)
    avg = (2 + 3 + 1) / 3
    idf = math.log(1 + (3 - 1 + 0.5) / (1 + 0.5))  # "liver": in one of three documents
    expected = idf * 1 * 2.2 / (1 + 1.2 * (1 - 0.75 + 0.75 * 2 / avg))
    s = bm.scores("Liver")
    assert math.isclose(s[0], expected, rel_tol=1e-12)
    assert s[1] == 0 and s[2] == 0


def test_more_matching_terms_rank_first_in_chinese():
    bm = BM25(["轻度脂肪肝怎么治疗", "胃反流烧心", "脂肪肝饮食"])
    s = bm.scores("脂肪肝治疗")
    assert max(range(3), key=lambda i: s[i]) == 0
    assert s[1] == 0


def test_ndcg10_single_relevant():
    assert ndcg10([3, 1, 2], 3) == 1.0
    assert math.isclose(ndcg10([1, 3], 3), 1 / math.log2(3))
    assert ndcg10(list(range(20)), 15) == 0.0
