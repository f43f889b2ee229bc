/**
 * The default labelling guide: the article's three-level guide (in both languages). Teams
 * edit it per synthesis run; reviewers see it beside the queue.
 */
export const DEFAULT_GUIDE = `## Labelling guide · 标注指南

Judge whether the passage answers the query, and grade relevance 0–3.
判断文档片段是否回答了查询，并给出 0–3 的相关性等级。

- **3 · Highly relevant · 高度相关 (positive)**: the passage directly answers the query. 文档直接回答了查询问题。
- **2 · Partly relevant · 部分相关**: related information, but incomplete. 文档包含相关信息但不完整。
- **1 · Marginal · 弱相关**: same topic, does not help answer. 话题相关但无助于回答。
- **0 · Not relevant · 不相关 (negative)**: unrelated or misleading. 文档与查询无关或误导性。

Accept a query only if it is a question a real user could ask and the passage (grade ≥ 2) answers it.
Edit the wording when it is almost right. 仅当查询像真实用户的提问、且文档能回答（等级 ≥ 2）时接受；措辞接近时可直接修改。

Quality control · 质量控制: every item is labelled by at least two reviewers; agreement target Cohen's κ ≥ 0.6;
disputes go to an expert. 每个样本至少 2 人独立标注，一致性要求 Cohen's Kappa ≥ 0.6，存在争议时请专家仲裁。
`;
