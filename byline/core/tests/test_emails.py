"""E-mail addresses as Byline stores and compares them."""

from byline.core.emails import normalize_email


def test_an_address_is_stripped_and_lower_cased():
    assert normalize_email("  Ann.Reader@Example.COM ") == "ann.reader@example.com"
    assert normalize_email("") == normalize_email(None) == ""


def test_an_address_never_grows():
    """ "İ" lower-cased is two characters: 122 of them took an address the form had let
    through at 134 characters past the column's 254 (PostgreSQL refused the row)."""
    address = "İ" * 122 + "@Example.com"
    assert len(normalize_email(address)) == len(address)
    assert normalize_email(address) == "İ" * 122 + "@example.com"
    assert normalize_email("Ann.İ@X.ORG") == "ann.İ@x.org"
