// A minimal JSON reader for the test sources (no JSON library is on the
// classpath): objects become Map<String, Any?>, arrays List<Any?>, numbers
// Long or Double, plus String, Boolean and null.
package com.mapsindoors.auth.test

object Json {
    fun parse(text: String): Any? {
        val p = Parser(text)
        val v = p.value()
        p.ws()
        require(p.i == text.length) { "trailing characters at ${p.i}" }
        return v
    }

    private class Parser(val s: String) {
        var i = 0

        fun ws() { while (i < s.length && s[i].isWhitespace()) i++ }

        fun value(): Any? {
            ws()
            require(i < s.length) { "unexpected end" }
            return when (s[i]) {
                '{' -> obj()
                '[' -> arr()
                '"' -> str()
                't' -> lit("true", true)
                'f' -> lit("false", false)
                'n' -> lit("null", null)
                else -> num()
            }
        }

        fun lit(word: String, v: Any?): Any? {
            require(s.startsWith(word, i)) { "bad literal at $i" }
            i += word.length
            return v
        }

        fun obj(): Map<String, Any?> {
            val m = LinkedHashMap<String, Any?>()
            i++
            ws()
            if (s[i] == '}') { i++; return m }
            while (true) {
                ws()
                val k = str()
                ws()
                require(s[i] == ':') { "expected : at $i" }
                i++
                m[k] = value()
                ws()
                when (s[i]) {
                    ',' -> i++
                    '}' -> { i++; return m }
                    else -> error("expected , or } at $i")
                }
            }
        }

        fun arr(): List<Any?> {
            val l = ArrayList<Any?>()
            i++
            ws()
            if (s[i] == ']') { i++; return l }
            while (true) {
                l.add(value())
                ws()
                when (s[i]) {
                    ',' -> i++
                    ']' -> { i++; return l }
                    else -> error("expected , or ] at $i")
                }
            }
        }

        fun str(): String {
            require(s[i] == '"') { "expected string at $i" }
            i++
            val b = StringBuilder()
            while (true) {
                val c = s[i++]
                when (c) {
                    '"' -> return b.toString()
                    '\\' -> {
                        val e = s[i++]
                        when (e) {
                            '"', '\\', '/' -> b.append(e)
                            'b' -> b.append('\b')
                            'f' -> b.append('\u000C')
                            'n' -> b.append('\n')
                            'r' -> b.append('\r')
                            't' -> b.append('\t')
                            'u' -> { b.append(s.substring(i, i + 4).toInt(16).toChar()); i += 4 }
                            else -> error("bad escape at $i")
                        }
                    }
                    else -> b.append(c)
                }
            }
        }

        fun num(): Any {
            val start = i
            while (i < s.length && (s[i].isDigit() || s[i] in "+-.eE")) i++
            val t = s.substring(start, i)
            require(t.isNotEmpty()) { "unexpected character at $start" }
            return if (t.any { it in ".eE" }) t.toDouble() else t.toLong()
        }
    }
}

@Suppress("UNCHECKED_CAST")
fun Any?.obj(): Map<String, Any?> = this as Map<String, Any?>

@Suppress("UNCHECKED_CAST")
fun Any?.arr(): List<Any?> = this as List<Any?>

/** Writes what [Json.parse] reads (maps, lists, strings, numbers, booleans, null) as compact JSON. */
fun Any?.toJson(): String = StringBuilder().also { writeJson(this, it) }.toString()

private fun writeJson(v: Any?, out: StringBuilder) {
    when (v) {
        null -> out.append("null")
        is String -> {
            out.append('"')
            for (c in v) {
                when {
                    c == '"' -> out.append("\\\"")
                    c == '\\' -> out.append("\\\\")
                    c == '\n' -> out.append("\\n")
                    c == '\r' -> out.append("\\r")
                    c == '\t' -> out.append("\\t")
                    c < ' ' -> out.append(String.format("\\u%04x", c.code))
                    else -> out.append(c)
                }
            }
            out.append('"')
        }
        is Map<*, *> -> {
            out.append('{')
            v.entries.forEachIndexed { i, (k, value) ->
                if (i > 0) out.append(',')
                writeJson(k as String, out)
                out.append(':')
                writeJson(value, out)
            }
            out.append('}')
        }
        is List<*> -> {
            out.append('[')
            v.forEachIndexed { i, item ->
                if (i > 0) out.append(',')
                writeJson(item, out)
            }
            out.append(']')
        }
        is Boolean, is Long, is Int -> out.append(v.toString())
        is Double -> out.append(if (v % 1.0 == 0.0 && Math.abs(v) < 1e15) v.toLong().toString() else v.toString())
        else -> error("not JSON: ${v::class}")
    }
}
