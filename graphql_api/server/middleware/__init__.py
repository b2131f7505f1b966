"""The ASGI middlewares every request passes, one a module, in the order app.py adds them."""
