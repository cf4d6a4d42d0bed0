package io.mqchat.embedded.mongo;

import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleBinaryOperator;

/**
 * How to answer a query from a typed unique index when mongo-java-server would read the whole collection: it
 * uses an index only for a query on exactly the index's fields, so {@code {conv, seq: {$gt: n}}} or
 * {@code {_id, lastSeq: {$lt: n}}} scanned every document. A scan reads the entries whose first fields equal
 * the query's values (the prefix), in index order; the query is still matched against every document read,
 * so the scan only has to include every document that can match, never to be exact.
 *
 * <p>When the index order is the order asked for (a sort on the field after the prefix, or no sort), the
 * documents are read lazily in that order and reading stops at the limit: a history page reads one page,
 * not the conversation. That needs the index order to be MongoDB's order for the values there: it is when
 * every entry of the prefix holds a number in that field (numbers are ordered as doubles; checked on the
 * first and last entry of the prefix, as kinds are contiguous in the index order).
 */
final class IndexScan {

    private final TypedUniqueIndex index;
    private final KeyValue prefix;
    /** The index field after the prefix, or null when the prefix covers every field. */
    private final String next;
    /** The query's operator conditions on {@link #next} (such as {@code {$lt: 50}}). */
    private final List<Document> nextConditions;
    /** Whether every entry of the prefix holds a number in {@link #next}; null until asked. */
    private Boolean onlyNumbersInNext;

    private IndexScan(TypedUniqueIndex index, KeyValue prefix, String next, List<Document> nextConditions) {
        this.index = index;
        this.prefix = prefix;
        this.next = next;
        this.nextConditions = nextConditions;
    }

    /**
     * The index whose longest run of first fields the conditions fix to single values, or null if none does;
     * between two as long, the one whose next field is the first field of {@code orderBy}.
     */
    static IndexScan plan(List<Index<Object>> indexes, Map<String, List<Object>> conditions, Document orderBy) {
        String sortedBy = orderBy == null || orderBy.isEmpty() ? null : orderBy.keySet().iterator().next();
        IndexScan best = null;
        for (Index<Object> candidate : indexes) {
            if (!(candidate instanceof TypedUniqueIndex index) || !index.servesQueryWith(conditions)) {
                continue;
            }
            List<String> fields = index.fieldNames();
            List<Object> values = new ArrayList<>();
            for (String field : fields) {
                Object value = equalityValue(conditions.getOrDefault(field, List.of()));
                if (value == null) {
                    break;
                }
                values.add(value);
            }
            if (values.isEmpty()) {
                continue;
            }
            String next = values.size() < fields.size() ? fields.get(values.size()) : null;
            boolean better = best == null || values.size() > best.prefix.size()
                    || values.size() == best.prefix.size() && sortedBy != null && sortedBy.equals(next)
                    && !sortedBy.equals(best.next);
            if (better) {
                List<Document> ranges = next == null ? List.of() : conditions.getOrDefault(next, List.of()).stream()
                        .filter(Document.class::isInstance).map(Document.class::cast).toList();
                best = new IndexScan(index, new KeyValue(values).normalized(), next, ranges);
            }
        }
        return best;
    }

    /**
     * The conditions on each field, from the query's top level and its {@code $and}s (drivers send
     * {@code Filters.and(...)} as one); what {@code $or}, {@code $nor} and the like say only narrows the
     * documents further, which the matcher decides.
     */
    static void collectConditions(Document query, Map<String, List<Object>> into) {
        for (Map.Entry<String, Object> entry : query.entrySet()) {
            if (entry.getKey().equals("$and") && entry.getValue() instanceof List<?> parts) {
                for (Object part : parts) {
                    if (part instanceof Document d) {
                        collectConditions(d, into);
                    }
                }
            } else if (!entry.getKey().startsWith("$")) {
                into.computeIfAbsent(entry.getKey(), field -> new ArrayList<>()).add(entry.getValue());
            }
        }
    }

    /** A value that a field must equal (or an array of it must contain), or null if none is required. */
    private static Object equalityValue(List<Object> conditions) {
        for (Object condition : conditions) {
            Object value = condition instanceof Document d && d.size() == 1 && d.containsKey("$eq") ? d.get("$eq") : condition;
            if (isEqualityValue(value)) {
                return value;
            }
        }
        return null;
    }

    /** A value that matches exactly the documents holding it (or an array containing it) in that field. */
    static boolean isEqualityValue(Object value) {
        return value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof ObjectId || value instanceof Instant;
    }

    /**
     * Null if the index cannot give the documents in the order {@code orderBy} asks for; else whether they
     * come from the last entry backwards.
     */
    Boolean reversedFor(Document orderBy) {
        if (orderBy == null || orderBy.isEmpty()) {
            return Boolean.FALSE;
        }
        if (next == null || orderBy.size() != 1 || !(orderBy.get(next) instanceof Number direction)
                || !holdsOnlyNumbersInNext()) {
            return null;
        }
        return direction.doubleValue() < 0;
    }

    /** Every position of the prefix, each once, in index order. */
    Collection<Object> allPositions() {
        Set<Object> positions = new LinkedHashSet<>();
        index.positions(prefix, null, false).forEachRemaining(positions::add);
        return positions;
    }

    /**
     * The positions in index order (reversed if asked), starting at the query's bound on the next field where
     * that is safe; a position may repeat when a document is in the index more than once (array fields).
     */
    Iterator<Object> positionsInOrder(boolean reverse) {
        KeyValue from = null;
        if (!nextConditions.isEmpty() && holdsOnlyNumbersInNext()) {
            Double bound = reverse ? bound("$lt", "$lte", Math::min) : bound("$gt", "$gte", Math::max);
            if (bound != null) {
                // backwards from after every entry holding the bound (an index may have fields after next)
                KeyValue at = IndexKeyType.appended(prefix, bound);
                from = reverse ? IndexKeyType.afterAllStartingWith(at) : at;
            }
        }
        return index.positions(prefix, from, reverse);
    }

    /** Two index lookups, made once per query: both the order and the start bound ask it. */
    private boolean holdsOnlyNumbersInNext() {
        if (onlyNumbersInNext == null) {
            KeyValue first = index.firstWithPrefix(prefix);
            KeyValue last = index.lastWithPrefix(prefix);
            int at = prefix.size();
            onlyNumbersInNext = first == null || last == null || IndexKeyType.isDouble(first.get(at))
                    && IndexKeyType.isDouble(last.get(at)) && !((Double) last.get(at)).isNaN();
        }
        return onlyNumbersInNext;
    }

    /** The tightest numeric bound the next field's conditions set with two operators, or null. */
    private Double bound(String strict, String inclusive, DoubleBinaryOperator tighter) {
        Double result = null;
        for (Document condition : nextConditions) {
            for (String operator : new String[] {strict, inclusive}) {
                if (condition.get(operator) instanceof Number n && !Double.isNaN(n.doubleValue())) {
                    double value = n.doubleValue() == -0.0 ? 0.0 : n.doubleValue();
                    result = result == null ? value : tighter.applyAsDouble(result, value);
                }
            }
        }
        return result;
    }

}
