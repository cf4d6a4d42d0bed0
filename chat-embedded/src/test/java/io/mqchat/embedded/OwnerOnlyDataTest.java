package io.mqchat.embedded;

import io.mqchat.embedded.mongo.EmbeddedMongo;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded stores keep their data where only the owner can reach it, and Redis wants its password. */
class OwnerOnlyDataTest {

    @TempDir
    Path temp;

    private static String permissions(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void storesCreateTheirFoldersAndFilesOwnerOnly() throws Exception {
        Path data = temp.resolve("data");
        OwnerOnlyFiles.prepareDataFolder(data);
        Path mongoFile = data.resolve("mongo").resolve("mqchat.mv");
        Path redisDir = data.resolve("redis");
        try (EmbeddedMongo mongo = EmbeddedMongo.onFile(mongoFile, 0);
             MongoClient client = MongoClients.create(mongo.uri("t"));
             EmbeddedRedis redis = EmbeddedRedis.start(0, redisDir)) {
            client.getDatabase("t").getCollection("c").insertOne(new Document("secret", "a message"));
            assertThat(Redis.command(redis.port(), "AUTH " + redis.password(), "SET k v", "BGREWRITEAOF"))
                    .containsExactly("+OK", "+OK", "+Background append only file rewriting started");
        }
        assertThat(permissions(data)).isEqualTo("rwx------");
        assertThat(permissions(data.resolve("mongo"))).isEqualTo("rwx------");
        assertThat(permissions(mongoFile)).isEqualTo("rw-------");
        assertThat(Files.size(mongoFile)).isPositive();
        assertThat(permissions(redisDir)).isEqualTo("rwx------");
        assertThat(permissions(redisDir.resolve(EmbeddedRedis.PASSWORD_FILE))).isEqualTo("rw-------");
        // Redis writes its append-only files with its own umask; they are reachable only through the folder
        try (Stream<Path> redisFiles = Files.list(redisDir)) {
            assertThat(redisFiles.map(p -> p.getFileName().toString()))
                    .contains(EmbeddedRedis.PASSWORD_FILE).anyMatch(name -> name.startsWith("appendonly"));
        }
    }

    @Test
    void redisRefusesClientsWithoutThePasswordAndKeepsItAcrossRestarts() throws Exception {
        Path redisDir = temp.resolve("redis");
        String password;
        try (EmbeddedRedis redis = EmbeddedRedis.start(0, redisDir)) {
            password = redis.password();
            assertThat(password).hasSizeGreaterThanOrEqualTo(40);
            assertThat(Redis.command(redis.port(), "PING").get(0)).startsWith("-NOAUTH");
            assertThat(Redis.command(redis.port(), "AUTH wrong-password").get(0)).startsWith("-WRONGPASS");
            assertThat(Redis.command(redis.port(), "AUTH " + password, "PING")).containsExactly("+OK", "+PONG");
            assertThat(redis.address()).isEqualTo("redis://:" + password + "@127.0.0.1:" + redis.port());
            assertThat(redis.toString()).doesNotContain(password);
        }
        try (EmbeddedRedis again = EmbeddedRedis.start(0, redisDir)) {
            assertThat(again.password()).isEqualTo(password);
            assertThat(Redis.command(again.port(), "AUTH " + password, "PING")).containsExactly("+OK", "+PONG");
        }
    }

    @Test
    void aDamagedPasswordFileIsRefusedSayingWhatToDo() throws Exception {
        Path redisDir = Files.createDirectories(temp.resolve("redis"));
        Files.writeString(redisDir.resolve(EmbeddedRedis.PASSWORD_FILE), "two words");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EmbeddedRedis.start(0, redisDir).close())
                .hasMessageContaining("delete it to have a new password generated")
                .hasMessageNotContaining("two words");
    }

    @Test
    void withoutADataFolderEachServerHasItsOwnPassword() throws Exception {
        try (EmbeddedRedis one = EmbeddedRedis.start(0, null); EmbeddedRedis two = EmbeddedRedis.start(0, null)) {
            assertThat(one.password()).isNotEqualTo(two.password());
            assertThat(Redis.command(one.port(), "PING").get(0)).startsWith("-NOAUTH");
        }
    }

    @Test
    void aSecretFileIsCreatedOwnerOnlyAndReused() throws Exception {
        Path file = temp.resolve("data").resolve("jwt-secret");
        String secret = OwnerOnlyFiles.readOrCreateSecret(file, 48);
        assertThat(secret).hasSize(64);
        assertThat(permissions(file)).isEqualTo("rw-------");
        assertThat(permissions(file.getParent())).isEqualTo("rwx------");
        assertThat(OwnerOnlyFiles.readOrCreateSecret(file, 48)).isEqualTo(secret);
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).as("no temporary file left behind").containsExactly(file);
        }
    }

    @Test
    void anOpenDataFolderOfAnEarlierVersionIsTightened() throws Exception {
        Path data = Files.createDirectory(temp.resolve("data"));
        Path mongo = Files.createDirectory(data.resolve("mongo"));
        Path file = Files.writeString(mongo.resolve("mqchat.mv"), "old");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(mongo, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        OwnerOnlyFiles.prepareDataFolder(data);

        assertThat(permissions(data)).isEqualTo("rwx------");
        assertThat(permissions(mongo)).isEqualTo("rwx------");
        assertThat(permissions(file)).isEqualTo("rw-------");
        assertThat(Files.readString(file)).isEqualTo("old");
    }

    /** Just enough RESP for inline commands with simple replies. */
    static final class Redis {
        static List<String> command(int port, String... commands) throws IOException {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                List<String> replies = new java.util.ArrayList<>();
                for (String c : commands) {
                    out.write((c + "\r\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    replies.add(in.readLine());
                }
                return replies;
            }
        }
    }
}
