"""The company's administration pages: members (members.py) and roles (roles.py)."""
