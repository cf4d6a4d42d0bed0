package io.mqchat.api;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The chat-api: registration, login (issues the access tokens the broker accepts) and user lookup.
 *
 * <p>Start it through {@link #builder()}, which points Spring Boot at {@code chat-api.yml} instead of
 * {@code application.yml}, so that it can share a JVM (and a class path) with the history-service.
 */
@SpringBootApplication
public class ChatApiApplication {

    /** The name of this app's config file ({@code chat-api.yml}) and of the app itself. */
    public static final String NAME = "chat-api";

    /**
     * A builder for this app. Its default properties select {@code chat-api.yml} and port 8080; add your
     * own with {@code .properties(Map)} (they are merged in, and win over these defaults but not over
     * {@code chat-api.yml}, environment variables or command-line arguments).
     */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(ChatApiApplication.class)
                .properties("spring.config.name=" + NAME, "server.port=8080");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
