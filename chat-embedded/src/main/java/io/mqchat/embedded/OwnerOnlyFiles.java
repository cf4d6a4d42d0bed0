package io.mqchat.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * Files and folders only their owner can read: the data folder holds every message, every password hash, the
 * JWT secret and the embedded Redis password. Created with owner-only permissions from the start (never
 * world-readable for a moment), and an existing data folder that is too open is tightened at start.
 *
 * <p>Processes we do not control (Redis, H2, HiveMQ) create their files with the default umask; they stay
 * unreachable because the folders above them are {@code rwx------}. Where the file system has no POSIX
 * permissions (Windows), files are created plainly and the folder's own access rules apply.
 */
public final class OwnerOnlyFiles {

    private static final Logger log = LoggerFactory.getLogger(OwnerOnlyFiles.class);

    public static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private static final Set<PosixFilePermission> GROUP_AND_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private static final SecureRandom RANDOM = new SecureRandom();

    private OwnerOnlyFiles() {
    }

    /**
     * Makes {@code dataDir} ready: created owner-only if missing; if it exists and it or anything in it is open
     * to group or others (data folders of earlier versions were), that access is removed and logged once.
     */
    public static void prepareDataFolder(Path dataDir) {
        if (!Files.isDirectory(dataDir)) {
            createDirectories(dataDir);
            return;
        }
        if (!posix(dataDir)) {
            return;
        }
        try {
            String before = PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir));
            int changed = tighten(dataDir);
            if (changed > 0) {
                log.info("mqchat: the data folder {} ({}) or files in it were open to other users: made {} "
                        + "entries owner-only", dataDir.toAbsolutePath(), before, changed);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the data folder " + dataDir.toAbsolutePath() + " owner-only", e);
        }
    }

    /**
     * Creates {@code dir} and any missing parents as {@code rwx------}. Existing folders are left as they are
     * (they may be the user's, such as the working directory); see {@link #ownerOnlyFolder}.
     */
    public static Path createDirectories(Path dir) {
        try {
            if (posix(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(FOLDER));
            } else {
                Files.createDirectories(dir);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir.toAbsolutePath(), e);
        }
    }

    /** A folder of ours: created {@code rwx------}, or made so if it exists. */
    public static Path ownerOnlyFolder(Path dir) {
        createDirectories(dir);
        try {
            if (posix(dir)) {
                restrict(dir, FOLDER);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + dir.toAbsolutePath() + " owner-only", e);
        }
    }

    /** Creates an empty {@code rw-------} file unless it exists (then it is made owner-only). */
    public static Path createFile(Path file) {
        try {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                if (posix(file)) {
                    restrict(file, FILE);
                }
                return file;
            }
            return Files.createFile(file, fileAttributes(file));
        } catch (FileAlreadyExistsException raced) {
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file.toAbsolutePath(), e);
        }
    }

    /** Writes {@code content} to an owner-only file (created so, or made so before it is written). */
    public static void writeString(Path file, String content) {
        createFile(file);
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file.toAbsolutePath(), e);
        }
    }

    /**
     * The secret kept in {@code file}, or a new random one ({@code bytes} random bytes, URL-safe base64 without
     * padding, so it needs no escaping in a URI or a config file) written there. The new file appears complete
     * and owner-only at once: it is written under a temporary name, then linked into place, which fails if
     * another process created it meanwhile (then that one's secret is used).
     */
    public static String readOrCreateSecret(Path file, int bytes) {
        try {
            if (Files.exists(file)) {
                if (posix(file)) {
                    restrict(file, FILE);
                }
                return read(file);
            }
            Path dir = file.toAbsolutePath().getParent();
            createDirectories(dir);
            String secret = randomSecret(bytes);
            Path temporary = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", fileAttributes(dir));
            try {
                Files.writeString(temporary, secret, StandardCharsets.UTF_8);
                try {
                    Files.createLink(file, temporary);
                } catch (FileAlreadyExistsException raced) {
                    return read(file);
                } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
                    if (Files.exists(file)) {
                        return read(file);
                    }
                    Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
                return secret;
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secret at " + file.toAbsolutePath(), e);
        }
    }

    /** {@code bytes} random bytes as URL-safe base64 without padding. */
    public static String randomSecret(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private static String read(Path file) throws IOException {
        String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (secret.isEmpty()) {
            throw new IOException(file.toAbsolutePath() + " is empty: delete it to have a new secret generated");
        }
        return secret;
    }

    /** Removes group and others access from {@code root} and everything under it (links not followed). */
    static int tighten(Path root) throws IOException {
        int[] changed = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (removeGroupAndOthers(dir)) {
                    changed[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!attrs.isSymbolicLink() && removeGroupAndOthers(file)) {
                    changed[0]++;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return changed[0];
    }

    private static boolean removeGroupAndOthers(Path path) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        if (!permissions.removeAll(GROUP_AND_OTHERS)) {
            return false;
        }
        Files.setPosixFilePermissions(path, permissions);
        return true;
    }

    private static void restrict(Path path, Set<PosixFilePermission> wanted) throws IOException {
        if (!Files.getPosixFilePermissions(path).equals(wanted)) {
            Files.setPosixFilePermissions(path, wanted);
        }
    }

    private static FileAttribute<?>[] fileAttributes(Path near) {
        return posix(near) ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
    }

    static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
