"""The public SROI calculator page: estimate an obligation and a building block before bidding."""
