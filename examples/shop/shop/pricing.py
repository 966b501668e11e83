"""Prices and discounts."""

VAT_RATE = 0.2


def with_vat(net):
    """Price including VAT, rounded to cents."""
    return round(net * (1 + VAT_RATE), 2)


def discount(price, percent):
    """Price after a percentage discount; percent must be within 0..100."""
    if percent < 0 or percent > 100:
        raise ValueError("percent out of range")
    return price - price * percent / 100


def bulk_discount(quantity):
    """Percent discount for buying many items."""
    if quantity >= 100:
        return 15
    if quantity >= 10:
        return 5
    return 0
