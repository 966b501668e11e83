"""A shopping cart."""

from shop.pricing import bulk_discount, discount, with_vat


class Cart:
    def __init__(self):
        self.items = {}

    def add(self, name, price, quantity=1):
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        old_price, old_quantity = self.items.get(name, (price, 0))
        self.items[name] = (price, old_quantity + quantity)

    def count(self):
        return sum(quantity for _, quantity in self.items.values())

    def total(self):
        net = 0
        for price, quantity in self.items.values():
            net += discount(price * quantity, bulk_discount(quantity))
        return with_vat(net)

    def is_empty(self):
        return not self.items
