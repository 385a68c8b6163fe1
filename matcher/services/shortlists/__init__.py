"""Shortlists: reading them (``service``: staff views and anonymised client cards), writing one
after a ranking (``writer``), the staffing pipeline (``pipeline``), the compact list and skill
chips (``compact``), what a client card may say (``client_card``), and the best requirements
for one candidate (``placements``)."""
