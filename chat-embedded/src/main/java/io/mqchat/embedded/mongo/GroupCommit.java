package io.mqchat.embedded.mongo;

import de.bwaldvogel.mongo.exception.MongoServerError;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Leader/follower group commit: commands that changed the store wait for a commit that started after their
 * change; whichever of them finds no commit running becomes the leader and commits for everyone waiting, the
 * others (followers) wait for it. Commits never overlap, so a command arriving while one runs waits for that
 * one and the next; everyone who arrived during a commit shares the next.
 *
 * <p>A command returns only once a commit that started after it registered has succeeded; if that commit
 * failed, it throws, so its reply is an error, never a success. Followers wait at most {@code maxWait}; the
 * leader's own commit cannot be bounded (it is the store writing its file).
 */
final class GroupCommit implements AutoCloseable {

    /** MongoDB's code for ShutdownInProgress, which drivers read as "this server is going away". */
    private static final int SHUTDOWN_IN_PROGRESS = 91;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition commitFinished = lock.newCondition();
    private final Runnable commit;
    private final long maxWaitNanos;

    // all guarded by lock
    private long commitsStarted;
    private long commitsFinished;
    private long lastSucceeded;
    private Throwable lastFailure;
    private boolean closed;
    private int waitingCommands;
    private long commits;
    private long failedCommits;
    private long commandsCommitted;

    GroupCommit(Runnable commit, Duration maxWait) {
        this.commit = commit;
        this.maxWaitNanos = maxWait.toNanos();
    }

    /**
     * Returns once a commit that started after this call succeeded; throws if that commit failed, the wait
     * took longer than {@code maxWait} or the store is closing.
     */
    void awaitCommit() {
        lock.lock();
        try {
            if (closed) {
                throw shuttingDown();
            }
            // the first commit to start from now on covers this command's change
            long needed = commitsStarted + 1;
            long deadline = System.nanoTime() + maxWaitNanos;
            waitingCommands++;
            try {
                while (commitsFinished < needed) {
                    if (commitsStarted == commitsFinished) {
                        lead();
                    } else if (closed) {
                        throw shuttingDown();
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new MongoServerError(50, "MaxTimeMSExpired", "the write was not committed within "
                                    + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos) + " ms (the store is stuck writing)");
                        }
                        commitFinished.awaitNanos(left);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MongoServerError(11601, "Interrupted", "interrupted while waiting for the commit");
            } finally {
                waitingCommands--;
            }
            // any successful commit numbered >= needed started after the change, so it covers it
            if (lastSucceeded >= needed) {
                commandsCommitted++;
                return;
            }
            throw new MongoServerError(8, "UnknownError",
                    "the write could not be committed to the store: " + lastFailure, lastFailure);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs one commit outside the lock (commands arriving meanwhile line up for the next one), then wakes
     * every follower. A failure is recorded, not thrown: the leader reports it like its followers do.
     */
    private void lead() {
        long number = ++commitsStarted;
        Throwable failure = null;
        lock.unlock();
        try {
            commit.run();
        } catch (Throwable e) {
            failure = e;
        } finally {
            lock.lock();
            commitsFinished = number;
            if (failure == null) {
                lastSucceeded = number;
                commits++;
            } else {
                lastFailure = failure;
                failedCommits++;
            }
            commitFinished.signalAll();
        }
    }

    /** Followers stop waiting (their commands fail) and new commands are refused; a running commit finishes. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            commitFinished.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Commits that succeeded. */
    long commits() {
        return read(() -> commits);
    }

    long failedCommits() {
        return read(() -> failedCommits);
    }

    /** Commands answered after a successful commit covering their change. */
    long commandsCommitted() {
        return read(() -> commandsCommitted);
    }

    /** Commands between registering and being released (leader included). */
    int waitingCommands() {
        return (int) read(() -> waitingCommands);
    }

    private long read(java.util.function.LongSupplier field) {
        lock.lock();
        try {
            return field.getAsLong();
        } finally {
            lock.unlock();
        }
    }

    private static MongoServerError shuttingDown() {
        return new MongoServerError(SHUTDOWN_IN_PROGRESS, "ShutdownInProgress", "the embedded store is shutting down");
    }
}
