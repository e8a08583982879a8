def test_register_login_me_logout_flow(client, register_user):
    register_user("ann@example.com", role="tutor")
    login = client.post("/api/auth/login/", json={"email": "ANN@example.com ", "password": "correct horse battery"})
    assert login.status_code == 200
    headers = {"Authorization": f"Bearer {login.get_json()['token']}"}
    assert client.get("/api/me/", headers=headers).get_json()["email"] == "ann@example.com"
    assert client.post("/api/auth/logout/", headers=headers).status_code == 204
    assert client.get("/api/me/", headers=headers).status_code == 401
