"""The contractor's pages: obligations, reporting realisations with evidence, PSO."""
