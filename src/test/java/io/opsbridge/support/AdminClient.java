package io.opsbridge.support;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** An operator calling the admin API of a {@link TestHub} with a Bearer token. */
public final class AdminClient {

    private final TestHub hub;
    private final String token;

    public AdminClient(TestHub hub, String token) {
        this.hub = hub;
        this.token = token;
    }

    public HttpResponse<String> get(String path) {
        return hub.send(HttpRequest.newBuilder(hub.uri(path)).header("Authorization", "Bearer " + token).GET());
    }

    public HttpResponse<String> post(String path, String json) {
        return hub.send(HttpRequest.newBuilder(hub.uri(path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public HttpResponse<String> delete(String path) {
        return hub.send(HttpRequest.newBuilder(hub.uri(path)).header("Authorization", "Bearer " + token).DELETE());
    }

    /** POST and expect {@code status}; the parsed body. */
    public ObjectNode post(String path, String json, int status) {
        HttpResponse<String> response = post(path, json);
        if (response.statusCode() != status) {
            throw new AssertionError("POST " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return Events.parse(response.body());
    }

    public ObjectNode get(String path, int status) {
        HttpResponse<String> response = get(path);
        if (response.statusCode() != status) {
            throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return Events.parse(response.body());
    }
}
