package io.mqchat.history;

/**
 * Test helpers: a fixed test secret. The HTTP client against a running app is {@link io.mqchat.web.TestHttp}
 * (chat-web's test-jar, shared with chat-api); logins in an embedded Redis are {@link TestRedis}.
 */
public final class TestSupport {

    /** Test-only secret; production secrets come from MQCHAT_JWT_SECRET, never from the repo. */
    public static final String SECRET = "test-secret-test-secret-test-secret!!";

    private TestSupport() {
    }
}
