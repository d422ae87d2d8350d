"""The marketplace's pages: listings (routes.py), and the route modules other parts add here."""
