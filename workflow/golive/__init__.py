"""Going live: bringing an agency's history in (the disclosure applications of its paper 台账)."""
