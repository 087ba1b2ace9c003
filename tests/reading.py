"""Reading a test client's response to the end."""


def read(response):
    """Sets `response.body` to the whole body and returns the response. A streamed file is closed once read,
    by the test client's own wrapper; `response.close()` would instead end the request a second time, and
    Django then closes the database connection that the test's transaction runs in (PostgreSQL)."""
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    return response
