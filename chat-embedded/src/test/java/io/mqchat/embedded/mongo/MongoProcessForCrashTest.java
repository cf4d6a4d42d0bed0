package io.mqchat.embedded.mongo;

import java.nio.file.Path;

/**
 * The embedded store in a process of its own, for {@link EmbeddedMongoCrashTest} to kill: prints its port,
 * then serves until killed (or until its standard input closes).
 * Arguments: the store file, and {@code true} or {@code false} for fsync.
 */
public final class MongoProcessForCrashTest {

    public static void main(String[] args) throws Exception {
        EmbeddedMongo mongo = EmbeddedMongo.onFile(Path.of(args[0]), 0, Boolean.parseBoolean(args[1]));
        System.out.println("port " + mongo.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the test kills this process
        }
        mongo.close();
    }
}
