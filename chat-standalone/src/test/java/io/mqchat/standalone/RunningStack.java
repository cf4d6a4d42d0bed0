package io.mqchat.standalone;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One one-process stack for a test class, on its own data folder and free ports, with the test's settings and
 * registered users; started before the class's tests, stopped (and its folder deleted) after them. Register it
 * as a static {@code @RegisterExtension} field; its {@link #client()} may be taken at once and works once the
 * stack runs.
 */
final class RunningStack implements BeforeAllCallback, AfterAllCallback {

    private final Map<String, String> settingsOfTheTest = new LinkedHashMap<>();
    private final List<String[]> users = new ArrayList<>();
    private final StackClient client = new StackClient(this::settings);
    private Path dataDir;
    private Map<String, String> env;
    private StandaloneSettings settings;
    private EmbeddedStack stack;

    /** An {@code MQCHAT_*} setting on top of {@link TestEnvironment#freshStack}. */
    RunningStack with(String name, String value) {
        settingsOfTheTest.put(name, value);
        return this;
    }

    /** Users registered once the stack runs, all with the one password. */
    RunningStack users(String password, String... userIds) {
        for (String user : userIds) {
            users.add(new String[] {user, password});
        }
        return this;
    }

    StackClient client() {
        return client;
    }

    StandaloneSettings settings() {
        if (settings == null) {
            throw new IllegalStateException("the stack is not running yet");
        }
        return settings;
    }

    EmbeddedStack stack() {
        return stack;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dataDir = Files.createTempDirectory("mqchat-" + context.getRequiredTestClass().getSimpleName());
        env = TestEnvironment.freshStack(dataDir.resolve("data"));
        env.putAll(settingsOfTheTest);
        settings = StandaloneSettings.fromEnvironment(env);
        stack = EmbeddedStack.start(settings, env);
        for (String[] user : users) {
            client.register(user[0], user[1]);
        }
    }

    /**
     * Stops the stack cleanly and starts it again on the same data folder, settings and ports (what a restart of the
     * process keeps: the stores' files). Logins live in the embedded Redis: log in again afterwards.
     */
    void restart() {
        stack.close();
        stack = null;
        stack = EmbeddedStack.start(settings, env);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (stack != null) {
                stack.close();
            }
        } finally {
            stack = null;
            settings = null;
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }
}
