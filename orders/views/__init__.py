"""Staff pages for the sales desk: phone orders, the order list and page, customers."""
