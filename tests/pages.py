"""What a browser does when it opens a session's page: the GET (which writes nothing),
then the arrival its script sends (``static/js/presence.js``), whose news the open page
then shows."""


def open_page(client, session, **extra):
    """Open the session's page as ``client``'s person: GET it, arrive on it as the page's
    script does, and return the page as it then stands (as the arrival's broadcast leaves
    it on screen)."""
    pk = getattr(session, "pk", session)
    response = client.get(f"/s/{pk}/", **extra)
    if response.status_code != 200:
        return response
    client.post(f"/s/{pk}/arrive/")
    return client.get(f"/s/{pk}/", **extra)
