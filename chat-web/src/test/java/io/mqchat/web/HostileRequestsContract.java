package io.mqchat.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every REST error looks like, whoever answers it (Spring MVC, Spring Boot's {@code /error} or Tomcat
 * before the application sees the request): {@code application/problem+json} with the status, never HTML
 * or a stack trace, and never 5xx for a client's mistake. Each service runs it against itself, started for
 * real on a port (chat-web's test-jar), with the default body cap of 1 MB.
 */
public abstract class HostileRequestsContract {

    /** The running service's port. */
    protected abstract int port();

    /** A token that is its device's current login. */
    protected abstract String token();

    /** A POST endpoint taking a JSON object, with a body it accepts or refuses with 4xx. */
    protected abstract String jsonPostPath();

    /** A body for {@link #jsonPostPath()} that has the key {@code "name"} twice. */
    protected abstract String bodyWithDuplicateKey();

    /** A GET endpoint (with a leading path, no query) that takes query parameters. */
    protected abstract String getPath();

    /** A query parameter of {@link #getPath()} that must be a number. */
    protected abstract String numericParameter();

    protected TestHttp.RawResponse raw(String head, byte[] body) {
        return TestHttp.raw(port(), head, body);
    }

    private String auth() {
        return "\r\nAuthorization: Bearer " + token();
    }

    protected static JsonNode assertProblem(TestHttp.RawResponse response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).as(response.body()).startsWith("application/problem+json");
        assertThat(response.body()).doesNotContainIgnoringCase("<html").doesNotContain("Exception")
                .doesNotContain("\tat ").doesNotContain("Tomcat");
        JsonNode json = response.json();
        assertThat(json).as(response.body()).isNotNull();
        assertThat(json.get("status").asInt()).isEqualTo(status);
        assertThat(json.get("title").asText()).isNotBlank();
        assertThat(json.get("detail").asText()).isNotBlank();
        return json;
    }

    private TestHttp.RawResponse postJson(String contentType, byte[] body) {
        return raw("POST " + jsonPostPath() + " HTTP/1.1\r\nHost: localhost" + auth()
                + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + body.length, body);
    }

    @Test
    void anEncodedSlashOrNulInThePathIs400Problem() {
        assertProblem(raw("GET " + getPath() + "%2fx HTTP/1.1\r\nHost: localhost" + auth(), null), 400);
        assertProblem(raw("GET " + getPath() + "%00x HTTP/1.1\r\nHost: localhost" + auth(), null), 400);
    }

    @Test
    void aHugeHeaderIsAProblemNotTomcatsPage() {
        TestHttp.RawResponse response = raw("GET " + getPath() + " HTTP/1.1\r\nHost: localhost"
                + "\r\nX-Padding: " + "a".repeat(100_000), null);
        assertProblem(response, 400);
    }

    @Test
    void malformedRequestLinesAndMissingHostAre400Problems() {
        assertProblem(raw("GET " + getPath() + " HTTP/1.1", null), 400);
        assertProblem(raw("GET /a b c HTTP/1.1\r\nHost: localhost", null), 400);
        assertProblem(raw("POST " + jsonPostPath() + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc",
                "{}".getBytes(StandardCharsets.UTF_8)), 400);
    }

    @Test
    void undecodableAndNonNumericQueryParametersAre400() {
        assertProblem(raw("GET " + getPath() + "?" + numericParameter() + "=%%% HTTP/1.1\r\nHost: localhost"
                + auth(), null), 400);
        assertProblem(raw("GET " + getPath() + "?before=%%% HTTP/1.1\r\nHost: localhost" + auth(), null), 400);
        assertProblem(raw("GET " + getPath() + "?" + numericParameter() + "=abc HTTP/1.1\r\nHost: localhost"
                + auth(), null), 400);
    }

    @Test
    void wildcardAndUnknownContentTypesAre415() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        assertProblem(postJson("*/*", body), 415);
        assertProblem(postJson("garbage", body), 415);
        assertProblem(postJson("application/json;charset=no-such-charset", body), 415);
        assertProblem(postJson("text/plain", body), 415);
    }

    @Test
    void wrongMethodUnknownPathAndTheErrorPathAreProblems() {
        assertProblem(raw("PUT " + jsonPostPath() + " HTTP/1.1\r\nHost: localhost" + auth()
                + "\r\nContent-Type: application/json\r\nContent-Length: 2", "{}".getBytes(StandardCharsets.UTF_8)), 405);
        assertProblem(raw("TRACE " + getPath() + " HTTP/1.1\r\nHost: localhost", null), 405);
        assertProblem(raw("GET /no-such-thing HTTP/1.1\r\nHost: localhost\r\nAccept: text/html", null), 404);
        // asked for directly, Boot's /error answered 500 ("status 999") or its HTML "Whitelabel" page
        assertProblem(raw("GET /error HTTP/1.1\r\nHost: localhost\r\nAccept: text/html", null), 404);
        assertProblem(raw("GET /error HTTP/1.1\r\nHost: localhost", null), 404);
    }

    @Test
    void unusableAcceptHeadersAreProblems() {
        TestHttp.RawResponse garbage = raw("GET " + getPath() + " HTTP/1.1\r\nHost: localhost" + auth()
                + "\r\nAccept: garbage", null);
        assertProblem(garbage, garbage.status());
        assertThat(garbage.status()).isBetween(400, 499);
        // what the client would take is not what the service makes: still a problem (406, or the error the
        // request had anyway), not an empty answer
        TestHttp.RawResponse png = raw("GET " + getPath() + " HTTP/1.1\r\nHost: localhost" + auth()
                + "\r\nAccept: image/png", null);
        assertProblem(png, png.status());
        assertThat(png.status()).isBetween(400, 499);
    }

    @Test
    void missingAndBrokenBodiesAre400() {
        assertProblem(postJson("application/json", new byte[0]), 400);
        assertProblem(postJson("application/json", "{\"name\": ".getBytes(StandardCharsets.UTF_8)), 400);
        assertProblem(postJson("application/json", new byte[]{'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}), 400);
        assertProblem(raw("POST " + jsonPostPath() + " HTTP/1.1\r\nHost: localhost" + auth()
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked",
                "zz\r\nabc\r\n0\r\n\r\n".getBytes(StandardCharsets.UTF_8)), 400);
    }

    @Test
    void aDuplicateKeyIs400NamingTheKey() {
        JsonNode problem = assertProblem(postJson("application/json",
                bodyWithDuplicateKey().getBytes(StandardCharsets.UTF_8)), 400);
        assertThat(problem.get("detail").asText()).contains("'name'").contains("twice");
    }

    @Test
    void aBodyAnnouncedOverTheCapIsRefusedBeforeItIsSent() {
        // nothing of the 100 MB is sent: the answer must come without waiting for it
        TestHttp.RawResponse response = raw("POST " + jsonPostPath() + " HTTP/1.1\r\nHost: localhost" + auth()
                + "\r\nContent-Type: application/json\r\nContent-Length: 100000000", null);
        JsonNode problem = assertProblem(response, 413);
        assertThat(problem.get("detail").asText()).contains("1048576 bytes").contains("MQCHAT_HTTP_MAXBODY");
    }

    @Test
    void aChunkedBodyOverTheCapIsCutOffAt413() {
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        byte[] start = "{\"name\":\"".getBytes(StandardCharsets.UTF_8);
        chunks.writeBytes((Integer.toHexString(start.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        chunks.writeBytes(start);
        chunks.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = "a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 24; i++) { // 1.5 MB
            chunks.writeBytes((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            chunks.writeBytes(chunk);
            chunks.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        chunks.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        TestHttp.RawResponse response = raw("POST " + jsonPostPath() + " HTTP/1.1\r\nHost: localhost" + auth()
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked", chunks.toByteArray());
        assertProblem(response, 413);
    }
}
