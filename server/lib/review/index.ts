/** Review: inter-rater agreement (Cohen's kappa) and overlap assignment of items to reviewers. */
export * from "./kappa";
export * from "./assign";
