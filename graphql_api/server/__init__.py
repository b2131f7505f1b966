"""The HTTP server: the app, its middleware, admission, the command line."""
