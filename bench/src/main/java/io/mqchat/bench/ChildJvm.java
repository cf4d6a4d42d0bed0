package io.mqchat.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A helper process of the bench: another JVM on the bench's own class path (a second broker node, the idle
 * clients), talking over its standard streams. It is told to stop by closing its standard input, which also happens
 * when the bench dies without stopping it; a shutdown hook kills it if the bench exits first.
 */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final OutputStream toChild;
    private final Thread shutdownHook;
    private final String name;

    private ChildJvm(Process process, String name) {
        this.process = process;
        this.name = name;
        this.toChild = process.getOutputStream();
        this.shutdownHook = new Thread(process::destroyForcibly, "bench-stop-" + name.replace(' ', '-'));
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts {@code mainClass} with this heap and environment; each line it prints goes to {@code lines} (on a
     * thread of its own), and {@code lines} gets null when its output ends.
     */
    static ChildJvm start(String name, Class<?> mainClass, String heap, Map<String, String> env,
                          Consumer<String> lines) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                System.getProperty("java.class.path"), bootLoaded(), heap, mainClass));
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        ChildJvm child = new ChildJvm(pb.start(), name);
        Thread reader = new Thread(() -> child.read(lines), "bench-" + name.replace(' ', '-') + "-stdout");
        reader.setDaemon(true);
        reader.start();
        return child;
    }

    /**
     * The child's command line. From the bench's Spring Boot jar the classes are nested, so the jar's
     * {@code PropertiesLauncher} starts the class ({@code loader.main}); from a plain class path, {@code java}
     * does.
     */
    static List<String> command(String java, String classPath, boolean bootJar, String heap, Class<?> mainClass) {
        List<String> c = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=mqchat-bench-logback.xml", "-cp", classPath));
        if (bootJar) {
            c.add("-Dloader.main=" + mainClass.getName());
            c.add("org.springframework.boot.loader.launch.PropertiesLauncher");
        } else {
            c.add(mainClass.getName());
        }
        return c;
    }

    private static boolean bootLoaded() {
        return ChildJvm.class.getClassLoader().getClass().getName().startsWith("org.springframework.boot.loader");
    }

    private void read(Consumer<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.accept(line);
            }
        } catch (IOException | RuntimeException e) {
            lines.accept(name + ": output not readable: " + e);
        }
        lines.accept(null);
    }

    /** Sends one line to the child's standard input. */
    void send(String line) throws IOException {
        synchronized (toChild) {
            toChild.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            toChild.flush();
        }
    }

    /** The child's process id, for reading its memory from {@code /proc}. */
    long pid() {
        return process.pid();
    }

    /** Closes the child's standard input (it stops and exits), then kills it if it does not. */
    @Override
    public void close() {
        try {
            toChild.close();
        } catch (IOException ignored) {
            // it is gone already
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                System.err.println("bench: " + name + " did not stop within 30 s; killing it");
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down; the hook runs anyway
        }
    }
}
