import unittest

from shop.cart import Cart
from shop.pricing import bulk_discount, discount, with_vat


class PricingTest(unittest.TestCase):
    def test_with_vat(self):
        self.assertEqual(with_vat(10), 12.0)

    def test_discount(self):
        self.assertEqual(discount(200, 10), 180)

    def test_discount_rejects_negative_percent(self):
        with self.assertRaises(ValueError):
            discount(10, -1)

    def test_bulk_discount(self):
        self.assertEqual(bulk_discount(1), 0)
        self.assertEqual(bulk_discount(50), 5)
        self.assertEqual(bulk_discount(500), 15)


class CartTest(unittest.TestCase):
    def test_total_of_two_items(self):
        cart = Cart()
        cart.add("pen", 1.5, 2)
        cart.add("book", 10)
        self.assertEqual(cart.total(), 15.6)
        self.assertEqual(cart.count(), 3)

    def test_new_cart_is_empty(self):
        self.assertTrue(Cart().is_empty())


if __name__ == "__main__":
    unittest.main()
