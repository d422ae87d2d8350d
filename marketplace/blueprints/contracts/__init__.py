"""The contract page shared by the authority's officer and the contractor."""
