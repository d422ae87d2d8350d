"""Reports for procurement officers: fulfilment charts, CSV/Excel exports and PDF reports."""
