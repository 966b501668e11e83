"""A small shop: prices, discounts and a cart."""
