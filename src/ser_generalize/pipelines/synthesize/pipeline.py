"""``kedro run --pipeline=synthesize``: write the synthetic corpora to data/01_raw."""

from kedro.pipeline import Pipeline, node

from ser_generalize.corpora.synthetic.generate import synthesize_corpora


def create_pipeline(**kwargs: object) -> Pipeline:
    """One node: generate every configured synthetic corpus that is missing (all with synthesize.force)."""
    return Pipeline(
        [node(synthesize_corpora, "params:synthesize", "synthetic_corpora", name="synthesize_corpora")]
    )
