package io.opsbridge.http;

/** One validation error: a JSON Pointer (RFC 6901) into the request body and what is wrong there. */
public record FieldError(String pointer, String message) {
}
