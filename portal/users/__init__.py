"""Accounts in the portal (issue 5, item 7): an administrator creates staff and partner
accounts, edits them, disables them, resets passwords and issues partner tokens."""

from flask import Blueprint

bp = Blueprint("users", __name__)

from portal.users import routes
