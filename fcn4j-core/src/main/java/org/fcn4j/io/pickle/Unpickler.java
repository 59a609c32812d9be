package org.fcn4j.io.pickle;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A restricted unpickler for what {@code torch.save} writes (protocols 0-5). It builds plain Java
 * values (maps, lists, {@link PyTuple}, strings, numbers, byte arrays) and never executes anything:
 * every global goes through a {@link Policy}, which returns a data value, a {@link Reconstructor}
 * for the few known-safe functions, {@link #OPAQUE} for classes kept as inert placeholders, or
 * refuses. A hostile stream is bounded: every length is checked against the bytes that remain, the
 * values it may create are counted ({@link #MAX_VALUES}), decimal numbers are capped as Python
 * caps them ({@link TextNumbers}), dict keys must be hashable without recursion ({@link Values#hashable}), and nothing
 * here recurses, so nesting depth costs no stack.
 */
public final class Unpickler {
    /** A known-safe Python function, applied to its pickled arguments. */
    public interface Reconstructor {
        Object apply(PyTuple args);
    }

    /** Decides what a global stands for; throws {@link PickleException} to refuse it. */
    public interface Policy {
        Object resolve(PyGlobal global);
    }

    /**
     * Returned by a {@link Policy} for classes whose instances become {@link Opaque} placeholders. Only
     * NEWOBJ (Python's {@code cls.__new__(cls)}, how pickle recreates an object) makes one; REDUCE, INST
     * and OBJ call the class like a function, which runs its constructor, and are refused.
     */
    public static final Object OPAQUE = new Object();

    /**
     * Values, marks and memo entries one pickle may create. A real checkpoint needs ~25 per tensor
     * (fcn_r50 with its optimizer: ~15,000); each costs up to ~64 bytes, so this bounds the heap at ~64 MiB.
     */
    public static final int MAX_VALUES = 1 << 20;

    private static final Object MARK = new Object();

    private final ByteBuffer in;
    private final Policy policy;
    private final Function<Object, Object> persistentLoad;
    /** The pickle stack; a list because Python's None is pushed as null. */
    private final List<Object> stack = new ArrayList<>();

    private final Map<Long, Object> memo = new HashMap<>();
    private int created;

    private Unpickler(ByteBuffer in, Policy policy, Function<Object, Object> persistentLoad) {
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
        this.policy = policy;
        this.persistentLoad = persistentLoad;
    }

    /**
     * Reads one pickle from {@code in}'s position; on return the position is just past its STOP.
     *
     * @param persistentLoad maps a persistent id to its object (torch: storages); null refuses them
     */
    public static Object load(ByteBuffer in, Policy policy, Function<Object, Object> persistentLoad) {
        return new Unpickler(in, policy, persistentLoad).run();
    }

    private Object run() {
        while (true) {
            int op = u8();
            switch (op) {
                case 0x80:
                    u8();
                    break; // PROTO
                case 0x95:
                    need(8);
                    in.getLong();
                    break; // FRAME: framing is advisory
                case '.':
                    return pop(); // STOP
                case '(':
                    count();
                    stack.add(MARK);
                    break;
                case '}':
                    push(new LinkedHashMap<>());
                    break;
                case ']':
                    push(new ArrayList<>());
                    break;
                case ')':
                    push(new PyTuple(List.of()));
                    break;
                case 'l':
                    push(new ArrayList<>(popMark()));
                    break;
                case 'd': {
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putPairs(m, popMark());
                    push(m);
                    break;
                }
                case 't':
                    push(new PyTuple(popMark()));
                    break;
                case 0x85:
                    push(tuple(pop()));
                    break;
                case 0x86: {
                    Object b = pop();
                    Object a = pop();
                    push(tuple(a, b));
                    break;
                }
                case 0x87: {
                    Object c = pop();
                    Object b = pop();
                    Object a = pop();
                    push(tuple(a, b, c));
                    break;
                }
                case 0x8f:
                    push(new HashSet<>());
                    break; // EMPTY_SET
                case 0x90:
                    addItems();
                    break;
                case 0x91:
                    push(setOf(popMark()));
                    break; // FROZENSET
                case 'N':
                    push(null);
                    break;
                case 0x88:
                    push(Boolean.TRUE);
                    break;
                case 0x89:
                    push(Boolean.FALSE);
                    break;
                case 'J':
                    need(4);
                    push((long) in.getInt());
                    break;
                case 'K':
                    push((long) u8());
                    break;
                case 'M':
                    need(2);
                    push((long) (in.getShort() & 0xffff));
                    break;
                case 0x8a:
                    push(longBytes(u8()));
                    break;
                case 0x8b:
                    push(longBytes(length(4)));
                    break;
                case 'G':
                    need(8);
                    push(in.order(ByteOrder.BIG_ENDIAN).getDouble());
                    in.order(ByteOrder.LITTLE_ENDIAN);
                    break;
                case 'X':
                    push(utf8(length(4)));
                    break;
                case 0x8c:
                    push(utf8(u8()));
                    break;
                case 0x8d:
                    push(utf8(length(8)));
                    break;
                case 'B':
                    push(bytes(length(4)));
                    break;
                case 'C':
                    push(bytes(u8()));
                    break;
                case 0x8e:
                case 0x96:
                    push(bytes(length(8)));
                    break;
                case 'T':
                    push(latin1(length(4)));
                    break; // BINSTRING (py2 str)
                case 'U':
                    push(latin1(u8()));
                    break;
                case 'I':
                    push(TextNumbers.integer(line(Integer.MAX_VALUE), true));
                    break;
                case 'L':
                    push(TextNumbers.integer(line(Integer.MAX_VALUE), false));
                    break;
                case 'F':
                    push(TextNumbers.decimal(line(Integer.MAX_VALUE)));
                    break;
                case 'S':
                    push(unquote(line(Integer.MAX_VALUE)));
                    break;
                case 'V':
                    push(line(Integer.MAX_VALUE));
                    break;
                case 'q':
                    memoize(u8());
                    break;
                case 'r':
                    memoize(length(4));
                    break;
                case 'p':
                    memoize(TextNumbers.index(line(24)));
                    break;
                case 0x94:
                    memoize(memo.size());
                    break;
                case 'h':
                    push(get(u8()));
                    break;
                case 'j':
                    push(get(length(4)));
                    break;
                case 'g':
                    push(get(TextNumbers.index(line(24))));
                    break;
                case '0':
                    pop();
                    break;
                case '1':
                    popMark();
                    break;
                case '2':
                    push(peek());
                    break;
                case 'a': {
                    Object v = pop();
                    list(peek()).add(v);
                    break;
                }
                case 'e': {
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                    break;
                }
                case 's': {
                    Object v = pop();
                    Object k = pop();
                    map(peek()).put(Values.hashable(k, "dict key"), v);
                    break;
                }
                case 'u': {
                    List<Object> kv = popMark();
                    putPairs(map(peek()), kv);
                    break;
                }
                case 'c':
                    push(global(new PyGlobal(line(1024), line(1024))));
                    break;
                case 0x93: {
                    Object name = pop();
                    Object module = pop();
                    push(stackGlobal(module, name));
                    break;
                }
                case 'R': {
                    Object args = pop();
                    Object f = pop();
                    push(call(f, args, "REDUCE"));
                    break;
                }
                case 0x81: {
                    Object args = pop();
                    Object cls = pop();
                    push(newObject(cls, args));
                    break;
                }
                case 0x92: {
                    pop();
                    Object args = pop();
                    Object cls = pop();
                    push(newObject(cls, args));
                    break;
                }
                case 'b':
                    build();
                    break;
                case 'Q':
                    push(persistent(pop()));
                    break;
                case 'P':
                    push(persistent(line(1024)));
                    break;
                case 'i':
                    push(inst(global(new PyGlobal(line(1024), line(1024)))));
                    break;
                case 'o':
                    push(obj(popMark()));
                    break;
                case 0x82:
                    throw extension(u8(), "EXT1");
                case 0x83:
                    need(2);
                    throw extension(in.getShort() & 0xffff, "EXT2");
                case 0x84:
                    need(4);
                    throw extension(in.getInt() & 0xffffffffL, "EXT4");
                default:
                    throw new PickleException(
                            String.format("unsupported pickle opcode 0x%02x at byte %d", op, in.position() - 1));
            }
        }
    }

    /** STACK_GLOBAL: module and name are strings on the stack (a chain of calls cannot build one here). */
    private Object stackGlobal(Object module, Object name) {
        return global(new PyGlobal(str(module), str(name)));
    }

    private Object global(PyGlobal g) {
        Object resolved = policy.resolve(g);
        return resolved == OPAQUE ? g : resolved;
    }

    /** REDUCE, INST and OBJ: {@code f(*args)}, for known-safe functions only. */
    private Object call(Object f, Object args, String opcode) {
        if (f instanceof Reconstructor) {
            return ((Reconstructor) f).apply(asArgs(args));
        }
        if (f instanceof PyGlobal) {
            throw new PickleException("refusing to call " + Values.brief(f) + " (" + opcode + "): its framework's"
                    + " names are kept only as placeholder classes, recreated with NEWOBJ; calling one runs its code");
        }
        throw new PickleException(
                "refusing to call " + Values.brief(f) + " (" + opcode + "): not a known-safe function");
    }

    /** NEWOBJ and NEWOBJ_EX: {@code cls.__new__(cls, *args)}, which makes a placeholder of a kept class. */
    private Object newObject(Object cls, Object args) {
        if (cls instanceof PyGlobal) {
            return new Opaque((PyGlobal) cls, asArgs(args), null);
        }
        return call(cls, args, "NEWOBJ");
    }

    private Object inst(Object cls) {
        return call(cls, new PyTuple(popMark()), "INST");
    }

    private Object obj(List<Object> marked) {
        if (marked.isEmpty()) {
            throw new PickleException("OBJ without a class at byte " + in.position());
        }
        return call(marked.get(0), new PyTuple(marked.subList(1, marked.size())), "OBJ");
    }

    /** EXT1/2/4 name a callable by a code in copyreg's extension registry; there is no registry here. */
    private PickleException extension(long code, String opcode) {
        return new PickleException(
                "refusing extension code " + code + " (" + opcode + "): copyreg's registry maps codes to callables");
    }

    private static PyTuple asArgs(Object args) {
        if (!(args instanceof PyTuple)) {
            throw new PickleException("a call's arguments must be a tuple but are " + Values.brief(args));
        }
        return (PyTuple) args;
    }

    private void build() {
        Object state = pop();
        Object obj = pop();
        if (obj instanceof Opaque) {
            push(((Opaque) obj).withState(state));
        } else if (obj instanceof Map) {
            // an OrderedDict's state is its attribute dict (torch keeps _metadata there), not entries
            push(obj);
        } else if (state == null || (state instanceof Map && ((Map<?, ?>) state).isEmpty())) {
            push(obj);
        } else {
            throw new PickleException("cannot set state on " + Values.brief(obj));
        }
    }

    private Object persistent(Object pid) {
        if (persistentLoad == null) {
            throw new PickleException("unexpected persistent id " + Values.brief(pid));
        }
        return persistentLoad.apply(pid);
    }

    private static void putPairs(Map<Object, Object> m, List<Object> kv) {
        for (int i = 0; i + 1 < kv.size(); i += 2) {
            m.put(Values.hashable(kv.get(i), "dict key"), kv.get(i + 1));
        }
    }

    @SuppressWarnings("unchecked")
    private void addItems() {
        List<Object> items = popMark();
        Object set = peek();
        if (!(set instanceof Set)) {
            throw new PickleException("ADDITEMS on " + Values.brief(set));
        }
        ((Set<Object>) set).addAll(setOf(items));
    }

    /** A set (Python's None included, which {@code Set.copyOf} would refuse with a NullPointerException). */
    public static Set<Object> setOf(List<?> items) {
        Set<Object> set = new HashSet<>();
        for (Object o : items) {
            set.add(Values.hashable(o, "set item"));
        }
        return set;
    }

    private static PyTuple tuple(Object... items) {
        return new PyTuple(Arrays.asList(items));
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> map(Object o) {
        if (!(o instanceof Map)) {
            throw new PickleException("expected a dict on the stack but found " + Values.brief(o));
        }
        return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        if (!(o instanceof List)) {
            throw new PickleException("expected a list on the stack but found " + Values.brief(o));
        }
        return (List<Object>) o;
    }

    private static String str(Object o) {
        if (!(o instanceof String)) {
            throw new PickleException("expected a string but found " + Values.brief(o));
        }
        return (String) o;
    }

    private void count() {
        if (++created > MAX_VALUES) {
            throw new PickleException("pickle creates more than " + MAX_VALUES + " values, marks and memo entries"
                    + " (at byte " + in.position() + "); no checkpoint needs that many");
        }
    }

    private void push(Object o) {
        count();
        stack.add(o);
    }

    private Object pop() {
        Object top = peek();
        stack.remove(stack.size() - 1);
        return top;
    }

    private Object peek() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw new PickleException("pickle stack underflow at byte " + in.position());
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        int mark = stack.lastIndexOf(MARK);
        if (mark < 0) {
            throw new PickleException("pickle MARK missing at byte " + in.position());
        }
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private void memoize(long key) {
        count();
        memo.put(key, peek());
    }

    private Object get(long key) {
        if (!memo.containsKey(key)) {
            throw new PickleException("pickle memo key " + key + " was never stored");
        }
        return memo.get(key);
    }

    private void need(long n) {
        if (n > in.remaining()) {
            throw new PickleException("truncated pickle: needs " + n + " more bytes at byte " + in.position()
                    + " but only " + in.remaining() + " remain");
        }
    }

    private int u8() {
        need(1);
        return in.get() & 0xff;
    }

    /** An unsigned length field of {@code width} bytes, checked against what remains. */
    private long length(int width) {
        need(width);
        long n = width == 4 ? in.getInt() & 0xffffffffL : in.getLong();
        if (n < 0) {
            throw new PickleException("negative length in pickle at byte " + in.position());
        }
        return n;
    }

    private byte[] bytes(long n) {
        need(n);
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }

    private String utf8(long n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String latin1(long n) {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    private Object longBytes(long n) {
        byte[] le = bytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    /** A newline-terminated line of at most {@code max} characters (names are short; the input bounds the rest). */
    private String line(int max) {
        int start = in.position();
        while (true) {
            int c = u8();
            if (c == '\n') {
                byte[] b = new byte[in.position() - 1 - start];
                in.get(start, b);
                return new String(b, StandardCharsets.ISO_8859_1);
            }
            if (in.position() - start > max) {
                throw new PickleException("pickle text field longer than " + max + " characters at byte " + start);
            }
        }
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"')) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }
}
