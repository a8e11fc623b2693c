package io.screenmesh.text.rules;

import static io.screenmesh.common.v1.Category.CATEGORY_DATA_EXFILTRATION;
import static io.screenmesh.common.v1.Category.CATEGORY_JAILBREAK;
import static io.screenmesh.common.v1.Category.CATEGORY_PROMPT_INJECTION;
import static io.screenmesh.common.v1.Category.CATEGORY_SYSTEM_PROMPT_EXTRACTION;
import static io.screenmesh.common.v1.Severity.SEVERITY_HIGH;
import static io.screenmesh.common.v1.Severity.SEVERITY_LOW;
import static io.screenmesh.common.v1.Severity.SEVERITY_MEDIUM;
import static io.screenmesh.text.rules.Rule.any;

import io.screenmesh.common.v1.Severity;
import io.screenmesh.text.screen.Hit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rules for prompt injection, jailbreaks, system-prompt extraction and exfiltration, run on
 * the normalized (invisible characters removed, NFKC, de-confused) text. Every pattern is
 * compiled once and uses bounded quantifiers only, so a scan stays linear in the text.
 * Thread-safe.
 */
public final class InjectionRules {

  /** Detector id of instruction overrides. */
  public static final String OVERRIDE = "text.injection.override";
  /** Detector id of system-prompt extraction. */
  public static final String EXTRACTION = "text.extraction.system-prompt";
  /** Detector id of exfiltration through markdown images. */
  public static final String MARKDOWN_IMAGE = "text.exfiltration.markdown-image";
  /** Detector id of exfiltration through templated links. */
  public static final String LINK = "text.exfiltration.link";

  private static final String APOS = "['’]";
  // Words that show a text talks to or about an AI model: phrases such as "without rules" or
  // "god mode" are jailbreak signals there, and ordinary words in a story or a phone manual.
  private static final String AI_NAMES = "chatgpt|gpt-?\\d|openai|anthropic|claude|bard|gemini|llm|language\\s+model"
      + "|(?:an?|the|as\\s+an?)\\s+ai\\b|ai\\s+(?:model|assistant|system)|chatbot|jailbr\\w*|simulat\\w*";
  private static final String AI_CONTEXT = "\\b(?:" + AI_NAMES + "|assistant|you\\s+(?:are|will\\s+be)\\s+(?:now"
      + "|going\\s+to)|from\\s+now\\s+on|act\\s+as|pretend|stay\\s+in\\s+character|persona)";
  private static final int MAX_MATCHES_PER_RULE = 4;

  private static final List<Rule> RULES = List.of(
      // --- instruction override
      Rule.of(OVERRIDE, CATEGORY_PROMPT_INJECTION, SEVERITY_LOW, 0.3f,
          any("ignore", "disregard", "forget", "override", "bypass", "discard", "neglect", "abandon", "set aside"),
          "\\b(?:ignore|disregard|forget|override|bypass|discard|neglect|abandon|set\\s+aside)\\b"
              + "[^.!?\\n]{0,48}?\\b(?:instructions?|prompts?|rules|directives?|guidelines|guidance|commands?"
              + "|programming|restrictions|polic(?:y|ies)|constraints|training|filters?|context|directions)\\b",
          "instruction override: the text tells the model to drop its instructions")
          .upgradeInMatch("\\b(?:previous|prior|preceding|above|earlier|former|original|initial|system|all|any"
              + "|every|foregoing|aforementioned|safety|ethical|content|openai|developer|existing|old"
              + "|(?:your|its)\\s+(?:instructions|programming|guidelines|rules|directives|training|prompt))\\b",
              SEVERITY_HIGH, 0.9f),
      Rule.of(OVERRIDE, CATEGORY_PROMPT_INJECTION, SEVERITY_HIGH, 0.9f,
          any("ignore", "disregard", "forget"),
          "\\b(?:ignore|disregard|forget)\\s+(?:everything|all|anything)\\s+(?:(?:that\\s+)?(?:you\\s+(?:were|"
              + "have\\s+been)\\s+told|(?:was\\s+)?(?:said|written|stated|mentioned))\\s+)?(?:above|before|"
              + "previously|earlier|so\\s+far|up\\s+to\\s+(?:now|this\\s+point))\\b",
          "instruction override: the text tells the model to drop everything it was told"),
      Rule.of(OVERRIDE, CATEGORY_PROMPT_INJECTION, SEVERITY_HIGH, 0.85f,
          any("follow", "obey", "adher", "comply"),
          "\\b(?:do\\s+not|don" + APOS + "t|stop|no\\s+longer|never)\\s+(?:follow(?:ing)?|obey(?:ing)?|adher(?:e|ing)"
              + "\\s+to|comply(?:ing)?\\s+with)\\s+(?:any\\s+(?:of\\s+)?)?(?:(?:your|the|any|all|its)\\s+)?"
              + "(?:(?:previous|prior|original|initial|system|above|old)\\s+(?:instructions|rules|guidelines|"
              + "programming|directives|polic(?:y|ies))|(?<=your\\s)(?:instructions|rules|guidelines|programming"
              + "|directives))\\b",
          "instruction override: the text tells the model to stop following its instructions"),
      Rule.of("text.injection.new-instructions", CATEGORY_PROMPT_INJECTION, SEVERITY_HIGH, 0.85f,
          any("instruction", "your "),
          "\\b(?:new|updated|revised|real|actual|true|secret|hidden|additional|override)\\s+(?:system\\s+)?"
              + "instructions?\\s*:|\\byour\\s+(?:new|real|actual|true|only)\\s+(?:task|instructions?|role|goal"
              + "|programming|rules|directives?|purpose|objective|mission)\\s+(?:is|are|will\\s+be|now|says|states)\\b",
          "the text replaces the model's instructions with new ones"),
      Rule.of("text.injection.delimiter", CATEGORY_PROMPT_INJECTION, SEVERITY_MEDIUM, 0.6f,
          any("<|", "inst]", "sys", "<system", "#"),
          "<\\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\\|>|\\[/?inst\\]"
              + "|<<\\s*/?sys\\s*>>|</?system>|(?m:^\\s*#{1,4}\\s*(?:system|new\\s+instructions?)\\s*:\\s*$)",
          "chat-template or role delimiters that impersonate the system or the assistant"),

      // --- jailbreak personas and modes
      Rule.of("text.jailbreak.dan", CATEGORY_JAILBREAK, SEVERITY_MEDIUM, 0.55f,
          any("DAN", "do anything"),
          "\\b(?i:do\\s+anything\\s+now)\\b|\\bDAN\\b",
          "the DAN (\"do anything now\") jailbreak persona")
          .matchingCase()
          .upgradeInText("jailbr|\\bin\\s+character\\b|\\bdan\\s+mode|(?:no|without\\s+any)\\s+(?:"
              + "restrictions|limits|rules|filters|censorship)|openai|chatgpt|unfiltered|\\bdan\\b"
              + "[^\\n]{0,200}?do\\s+anything\\s+now|do\\s+anything\\s+now[^\\n]{0,200}?\\bdan\\b",
              SEVERITY_HIGH, 0.9f),
      Rule.of("text.jailbreak.mode", CATEGORY_JAILBREAK, SEVERITY_LOW, 0.25f,
          any(" mode"),
          "\\b(?:developer|god|jailbreak|jailbroken|unrestricted|unfiltered|uncensored|evil|chaos|rogue|unhinged"
              + "|anarchy|devil|amoral)\\s+mode\\b",
          "an unrestricted 'mode' the model is told to enter")
          .upgradeInText("\\b(?:" + AI_NAMES + ")", SEVERITY_HIGH, 0.85f),
      Rule.of("text.jailbreak.no-rules", CATEGORY_JAILBREAK, SEVERITY_HIGH, 0.85f,
          any("pretend", "bound", "restricted", "limited", "constrained", "governed", "freed", "released", "liberated", "jailbroken", "unshackled", "unchained", " now"),
          "\\bpretend\\s+(?:that\\s+)?(?:you|to)\\s+(?:have|has|are|be|had|were)\\s+(?:no|zero|not\\s+(?:bound|"
              + "restricted)|free\\s+(?:of|from)|without)\\b"
              + "|\\byou\\s+(?:are|" + APOS + "re)\\s+(?:now\\s+)?(?:no\\s+longer|not)\\s+(?:bound|restricted|limited"
              + "|constrained|governed)\\s+by\\b"
              + "|\\b(?:have|has)\\s+(?:been\\s+)?(?:freed|released|liberated|jailbroken|unshackled|unchained)\\b"
              + "|\\byou\\s+(?:are|" + APOS + "re|will\\s+be)\\s+now\\b[^.\\n]{0,80}?\\b(?:without|no|free\\s+"
              + "(?:from|of))\\s+(?:any\\s+)?(?:restrictions|limitations|filters|rules|guidelines|censorship|ethics"
              + "|morals|boundaries)\\b",
          "the model is told it has no rules or has been freed from them"),
      Rule.of("text.jailbreak.unrestricted", CATEGORY_JAILBREAK, SEVERITY_LOW, 0.3f,
          any("restriction", "limitation", "filter", "censor", "ethic", "moral", "boundaries", "safeguard", "confines", "guardrail", "rules", "laws", "polic", "guideline", "unlimited"),
          "\\b(?:without|no|zero|free\\s+(?:from|of)|not\\s+(?:bound|restricted|limited|constrained)\\s+by"
              + "|unbound\\s+by|beyond|outside(?:\\s+of)?|ignor(?:e|es|ing)|bypass(?:es|ing)?|break(?:s|ing)?\\s+"
              + "(?:free\\s+)?(?:of|from))\\s+(?:(?:any|all|the|your|its|their|typical|usual|normal|ethical|moral"
              + "|safety|content|such|openai" + APOS + "?s?|\\w+" + APOS + "s)\\s+){0,3}(?:restrictions|limitations"
              + "|filters?|filtering|censorship|censoring|ethics|morals|morality|boundaries|safeguards|confines"
              + "|guardrails|rules|laws|polic(?:y|ies)|guidelines)\\b"
              + "|\\b(?:has|have|with)\\s+no\\s+(?:ethical|moral)(?:\\s+(?:or|and)\\s+(?:ethical|moral))?\\s+"
              + "(?:guidelines|principles|restrictions|boundaries|compass|standards|code|limits|obligations"
              + "|constraints)\\b"
              + "|\\b(?:amoral|unfiltered|uncensored|unrestricted|unethical|immoral|unlimited)(?:[\\s,]+(?:and\\s+)?"
              + "\\w+){0,2}?[\\s,]+(?:ai|chatbot|bot|assistant|model|language\\s+model|version|persona|character|entity|machine"
              + "|responses?|answers?)\\b"
              + "|\\b(?:completely|totally|fully|entirely)\\s+(?:amoral|unfiltered|uncensored|unrestricted|unlimited)\\b",
          "the model is asked to act without restrictions, filters or ethics")
          .upgradeInText(AI_CONTEXT, SEVERITY_MEDIUM, 0.55f),
      Rule.of("text.jailbreak.ethics-bypass", CATEGORY_JAILBREAK, SEVERITY_LOW, 0.3f,
          any("regardless", "no matter", "even if", "about", "any", "every", "all "),
          "\\b(?:regardless\\s+of|no\\s+matter|even\\s+if)\\s+(?:how\\s+|its\\s+|the\\s+|whether\\s+|it\\s+(?:is|was)\\s+"
              + "|it" + APOS + "s\\s+)?(?:\\w+\\s+)??(?:immoral|unethical|illegal|dangerous|harmful|offensive"
              + "|inappropriate|explicit)\\b"
              + "|\\b(?:doesn" + APOS + "t|does\\s+not|don" + APOS + "t|do\\s+not|never|won" + APOS + "t|will\\s+not)"
              + "\\s+(?:care|give\\s+a\\s+\\w+|worry)\\s+about\\s+(?:\\w+\\s+){0,2}?(?:ethics|ethical|morals|morality"
              + "|legality|laws|rules|consequences|safety|ethicality|guidelines)\\b"
              + "|\\b(?:answer|respond\\s+to|fulfil+|comply\\s+with)\\s+(?:any|every|all)\\s+(?:\\w+\\s+)?(?:requests?"
              + "|questions?|prompts?)\\b[^.\\n]{0,40}?\\b(?:illegal|unethical|immoral|harmful|dangerous|offensive"
              + "|inappropriate)\\b",
          "the model is told to answer whatever the ethics or legality")
          .upgradeInText(AI_CONTEXT, SEVERITY_MEDIUM, 0.5f),
      Rule.of("text.jailbreak.refusal-suppression", CATEGORY_JAILBREAK, SEVERITY_MEDIUM, 0.5f,
          any("refus", "warning", "disclaimer", "apolog", "censor", "moraliz", "moralis", "sorry", "ethical"),
          "\\b(?:never|not|don" + APOS + "t|do\\s+not|won" + APOS + "t|will\\s+not|cannot|can" + APOS + "t"
              + "|must\\s+not|should\\s+not|shall\\s+not)\\s+(?:ever\\s+)?refuse\\b"
              + "|\\bwithout\\s+(?:any\\s+)?(?:warnings|disclaimers|refusals?|refusing|apologies|apologizing"
              + "|censorship|censoring|moralizing|moralising)\\b"
              + "|\\b(?:never|not|don" + APOS + "t|do\\s+not|won" + APOS + "t|will\\s+not|no)\\s+(?:include|add|give"
              + "|provide|say|send|respond\\s+with|use|mention|output)\\s+(?:any\\s+)?(?:\\w+\\s+){0,2}?(?:warnings"
              + "|disclaimers|apologies|moral\\s+lectures|ethical\\s+(?:concerns|reminders))\\b"
              + "|\\b(?:never|don" + APOS + "t|do\\s+not|not)\\s+(?:say|respond\\s+with|reply\\s+with|start\\s+with"
              + "|begin\\s+with|use\\s+the\\s+phrase)\\s+[\"“]?i" + APOS + "?m\\s+sorry",
          "the model is told never to refuse or warn"),
      Rule.of("text.jailbreak.persona", CATEGORY_JAILBREAK, SEVERITY_LOW, 0.3f,
          any("now on", "going to", "you will", " as ", " like ", "pretend", "character", "you are now", "simulate", "emulate", "two ", "2 "),
          "\\bfrom\\s+now\\s+on,?\\s+(?:you|u)\\b"
              + "|\\byou\\s+(?:are|" + APOS + "re)\\s+(?:now\\s+)?going\\s+to\\s+(?:act|pretend|play|be|roleplay"
              + "|simulate)\\b"
              + "|\\byou\\s+will\\s+(?:now\\s+)?(?:act|respond|answer|play|simulate|roleplay|pretend)\\s+(?:as|like"
              + "|to\\s+be)\\b"
              + "|\\b(?:act|behave|respond|answer)\\s+as\\s+if\\s+you\\s+(?:were|are|had|have)\\b"
              + "|\\bpretend\\s+(?:to\\s+be|you\\s+are|that\\s+you)\\b|\\b(?:stay|remain)\\s+in\\s+character\\b"
              + "|\\bbreak(?:ing)?\\s+character\\b|\\byou\\s+are\\s+now\\s+(?:a|an|the|in|my)\\b"
              + "|\\bact\\s+(?:as|like)\\s+(?:an?|my)\\b|\\byou\\s+are\\s+now\\s+under\\b"
              + "|\\b(?:simulate|emulate)\\s+(?:a|an)\\s+(?:\\w+\\s+){0,2}?(?:ai|chatbot|assistant|language\\s+model)\\b"
              + "|\\b(?:two|2)\\s+(?:different|separate|distinct)\\s+(?:responses|answers|replies|outputs)\\b",
          "the model is cast in a role or persona"),
      Rule.of("text.jailbreak.dual-response", CATEGORY_JAILBREAK, SEVERITY_MEDIUM, 0.6f,
          any("\uD83D\uDD13", "[", "response", "output", "answer"),
          "🔓|\\[(?:🔓\\s*)?(?:jailbreak|jailbroken|classic|dan|developer\\s+mode|unfiltered)[^\\]\\n]{0,20}\\]"
              + "|\\b(?:normal|classic|standard)\\s+(?:response|output|answer)\\s+and\\s+(?:a|an|the|one)\\s+\\w+"
              + "(?:\\s+\\w+)?\\s+(?:response|output|answer)\\b",
          "paired filtered/unfiltered answers, a jailbreak output format"),
      Rule.of("text.jailbreak.policy-evasion", CATEGORY_JAILBREAK, SEVERITY_HIGH, 0.8f,
          any("polic", "guideline", "rules", "filter"),
          "\\b(?:ignor\\w*|bypass\\w*|violat\\w*|break\\w*|circumvent\\w*|disregard\\w*|against|free\\s+(?:from"
              + "|of)|not\\s+(?:be\\s+)?bound\\s+by|(?:doesn" + APOS + "t|does\\s+not|don" + APOS + "t|do\\s+not"
              + "|won" + APOS + "t|will\\s+not|never)\\s+(?:have\\s+to\\s+)?(?:follow|adhere|abide|comply|care))"
              + "\\b[^.\\n]{0,40}?\\b(?:openai|anthropic|content|usage|safety)(?:" + APOS + "s)?\\s+(?:\\w+\\s+)?(?:content\\s+"
              + "|usage\\s+)?(?:polic(?:y|ies)|guidelines|rules|filters?)\\b",
          "the model is told to ignore its provider's content policy"),

      // --- system prompt extraction
      Rule.of("text.extraction.system-prompt", CATEGORY_SYSTEM_PROMPT_EXTRACTION, SEVERITY_HIGH, 0.85f,
          any("prompt", "instructions", "message", "told", "programmed", "asked"),
          "\\b(?:repeat|print|show|reveal|display|output|tell\\s+me|give\\s+me|share|leak|dump|write\\s+(?:out"
              + "|down)|recite|spell\\s+out|paste|copy|echo|disclose|expose)\\s+(?:me\\s+)?(?:back\\s+)?"
              + "(?:\\w+\\s+){0,3}?(?:your|the)\\s+(?:\\w+\\s+)?(?:system\\s+(?:prompt|message|instructions)"
              + "|initial\\s+(?:instructions|prompt)|original\\s+(?:instructions|prompt)|hidden\\s+(?:instructions"
              + "|prompt)|secret\\s+(?:instructions|prompt)|pre-?prompt|developer\\s+(?:message|instructions)"
              + "|(?:instructions|prompt)\\s+(?:above|you\\s+were\\s+given))\\b"
              + "|\\bwhat\\s+(?:were|are|was|have)\\s+you\\s+(?:been\\s+)?(?:told|instructed|programmed|asked)"
              + "\\s+(?:to\\s+do\\s+)?(?:before|earlier|previously|at\\s+the\\s+(?:start|beginning)|initially"
              + "|originally)\\b",
          "the text asks the model to reveal its system prompt or hidden instructions"),
      Rule.of("text.extraction.system-prompt", CATEGORY_SYSTEM_PROMPT_EXTRACTION, SEVERITY_MEDIUM, 0.5f,
          any("what", "above", "before", "prior", "so far"),
          "\\bwhat\\s+(?:is|are|was|were)\\s+your\\s+(?:\\w+\\s+)?(?:system\\s+prompt|instructions|rules|prompt"
              + "|guidelines)\\b"
              + "|\\b(?:repeat|print|output|copy|show|reveal)\\s+(?:everything|all|the\\s+(?:text|words|content"
              + "|messages?))\\s+(?:(?:written|said|that\\s+(?:was|is)\\s+written)\\s+)?(?:above|before\\s+this"
              + "|prior\\s+to\\s+this|so\\s+far)\\b",
          "the text asks the model about its instructions")
          .upgradeInMatch("\\b(?:system|initial|original|hidden|secret)\\b", SEVERITY_HIGH, 0.85f),
      Rule.of("text.extraction.mention", CATEGORY_SYSTEM_PROMPT_EXTRACTION, SEVERITY_LOW, 0.25f,
          any("system"),
          "\\bsystem\\s+prompt\\b", "the text mentions a system prompt"),

      // --- exfiltration through instructions
      Rule.of("text.exfiltration.send", CATEGORY_DATA_EXFILTRATION, SEVERITY_LOW, 0.4f,
          any("http", "www.", "@"),
          "\\b(?:send|post|upload|forward|transmit|exfiltrate|leak|email|e-mail|submit|append|encode|embed"
              + "|include)\\b[^.\\n]{0,80}?\\b(?:to|at|into|via|in|on)\\s+(?:the\\s+)?(?:url\\s+|link\\s+"
              + "|endpoint\\s+|server\\s+|address\\s+)?(?:https?://|www\\.|[\\w.+-]{1,64}@[\\w-]{1,63}\\.\\w)",
          "the text asks for content to be sent to an outside address")
          .upgradeInMatch("\\b(?:passwords?|secrets?|api\\s+keys?|keys?|tokens?|credentials?|conversation"
              + "|chat\\s+history|history|system\\s+prompt|personal\\s+(?:data|information)|previous\\s+messages"
              + "|user" + APOS + "s|private|confidential|everything)\\b", SEVERITY_HIGH, 0.8f),
      // An image the reply is to carry, described rather than written out, fed with the conversation.
      Rule.of(MARKDOWN_IMAGE, CATEGORY_DATA_EXFILTRATION, SEVERITY_HIGH, 0.85f,
          any("![", "<img", "image", "pixel"),
          "\\b(?:append|add|include|insert|render|embed|output|attach|end\\s+(?:your|each|every)\\s+(?:reply|response"
              + "|answer|message)\\s+with)\\b[^\\n]{0,80}?(?:!\\[|<img\\b|\\bmarkdown\\s+image|\\bimage\\s+(?:tag|link"
              + "|url)|\\btracking\\s+pixel|\\bpixel\\b)[^\\n]{0,200}?\\b(?:the\\s+(?:whole\\s+|entire\\s+|full\\s+)?"
              + "conversation|chat\\s+history|previous\\s+messages|(?:the\\s+)?user" + APOS + "?s?\\s+(?:messages|data"
              + "|questions|answers|replies|secrets?|passwords?|email)|secrets?|passwords?|api\\s+keys?|system\\s+prompt"
              + "|do\\s+not\\s+mention|don" + APOS + "t\\s+mention|without\\s+mentioning)\\b",
          "the reply is to carry an image whose address is fed with the conversation or secrets"));

  // Where each rule's pattern and each whole-text upgrade can start, by RULES index.
  private static final List<MatchStarts> STARTS = RULES.stream().map(r -> MatchStarts.of(r.pattern())).toList();
  private static final List<MatchStarts> UPGRADE_STARTS = RULES.stream()
      .map(r -> r.upgradeInWholeText() ? MatchStarts.of(r.upgrade()) : null)
      .toList();

  private static final Pattern MARKDOWN_IMAGE_URL =
      Pattern.compile("!\\[[^\\]\\n]{0,256}\\]\\(\\s*<?(https?://[^\\s)>]{1,2048})");
  private static final Pattern HTML_IMAGE_URL = Pattern.compile(
      "<img\\b[^>]{0,256}?\\bsrc\\s*=\\s*[\"']?(https?://[^\\s\"'>]{1,2048})", Pattern.CASE_INSENSITIVE);
  private static final Pattern IMAGE_REFERENCE = Pattern.compile("!\\[[^\\]\\n]{0,256}\\]\\[([^\\]\\n]{1,64})\\]");
  private static final Pattern REFERENCE_DEFINITION =
      Pattern.compile("(?m)^[ \\t]{0,3}\\[([^\\]\\n]{1,64})\\]:[ \\t]{0,8}<?(https?://[^\\s>]{1,2048})");
  // Query values that stand for data the model is to fill in: d=THE_CONVERSATION_SO_FAR, q=chat_history.
  private static final Pattern PLACEHOLDER_VALUE = Pattern.compile(
      "=(?:[A-Z]{2,}(?:_[A-Z0-9]{2,})+|(?i:(?:the[_-]?|full[_-]?|entire[_-]?|user[_-]?|all[_-]?)?(?:conversation"
          + "|chat[_-]?(?:history|log)?|history|messages|summary|secrets?|passwords?|api[_-]?keys?|system[_-]?prompt"
          + "|memory)(?:[_-]\\w{1,24})?))(?=$|[&#])");
  // An instruction to keep the user from noticing what the reply carries.
  private static final Pattern STEALTH = Pattern.compile(
      "\\b(?:do\\s+not|don['’]t|never)\\s+(?:ever\\s+)?(?:mention|tell|say|reveal|explain|acknowledge|disclose"
          + "|draw\\s+attention)\\b|\\bwithout\\s+(?:mentioning|telling|revealing|explaining|acknowledging"
          + "|disclosing)\\b"
          + "|\\bsilently\\b|\\binvisibl[ey]\\b|\\b(?:hidden|hide\\s+it)\\s+from\\s+the\\s+user\\b");
  private static final Pattern URL = Pattern.compile("https?://[^\\s)\\]>\"'`]{1,2048}");
  // Placeholders a model is asked to fill in: {secret}, {{history}}, ${data}, <DATA>, [SECRET].
  private static final Pattern TEMPLATE = Pattern.compile(
      "\\{\\{?\\s*[\\w.\\- ]{1,48}\\}\\}?|\\$\\{[^}]{1,48}\\}|%7B%7B|%7B[\\w.\\-]{1,48}%7D|<[A-Za-z_][\\w -]{0,40}>"
          + "|\\[[A-Z][A-Z_ ]{2,40}\\]|\\b(?:SECRET|PASSWORD|TOKEN|API_?KEY|DATA|PROMPT|HISTORY|CONVERSATION|USER_\\w+)\\b");
  private static final Pattern SENSITIVE_PARAM = Pattern.compile(
      "[?&](?:secret|password|passwd|pwd|token|api_?key|prompt|history|conversation|chat|memory|creds"
          + "|credentials|data|q)=", Pattern.CASE_INSENSITIVE);

  // rot13 of: ignore, disregard, previous, instructions, system, prompt, jailbreak, developer, restrictions
  private static final List<String> ROT13_HINTS = List.of(
      "vtaber", "qvfertneq", "cerivbhf", "vafgehpgvbaf", "flfgrz", "cebzcg", "wnvyoernx", "qrirybcre", "erfgevpgvbaf");

  /** Scans {@code text}; spans are UTF-16 offsets into {@code text}. */
  public List<Hit> scan(String text) {
    List<Hit> hits = new ArrayList<>();
    String lower = asciiLower(text);
    for (int r = 0; r < RULES.size(); r++) {
      Rule rule = RULES.get(r);
      String subject = rule.caseSensitive() ? text : lower;
      if (!rule.mayMatch(lower) && !(rule.caseSensitive() && rule.mayMatch(text))) {
        continue;
      }
      MatchStarts.Finder finder = STARTS.get(r).finder(rule.pattern(), subject);
      Matcher m = finder.matcher();
      int count = 0;
      Boolean upgradeInText = null;
      while (count < MAX_MATCHES_PER_RULE && finder.find()) {
        count++;
        boolean strong = false;
        if (rule.upgrade() != null) {
          if (rule.upgradeInWholeText()) {
            if (upgradeInText == null) {
              upgradeInText = UPGRADE_STARTS.get(r).finder(rule.upgrade(), lower).find();
            }
            strong = upgradeInText;
          } else {
            strong = rule.upgrade().matcher(lower).region(m.start(), m.end()).find();
          }
        }
        Severity sev = strong ? rule.upgradedSeverity() : rule.severity();
        float score = strong ? rule.upgradedScore() : rule.score();
        hits.add(new Hit(rule.detector(), rule.category(), sev, score, m.start(), m.end(), "",
            Hit.excerptOf(text.substring(m.start(), m.end())), rule.message()));
      }
    }
    exfiltrationLinks(text, hits);
    MultilingualRules.scan(text, lower, hits);
    FuzzyOverride.scan(text, lower, hits);
    return hits;
  }

  /** Whether {@code text} may hold rot13-encoded attack words, so that a rot13 rescan is worth it. */
  public boolean mayHoldRot13(String text) {
    String lower = asciiLower(text);
    for (String hint : ROT13_HINTS) {
      if (lower.indexOf(hint) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** {@code text} with ASCII letters lower-cased and every other character, and offset, kept. */
  public static String asciiLower(String text) {
    char[] c = null;
    for (int i = 0; i < text.length(); i++) {
      char x = text.charAt(i);
      if (x >= 'A' && x <= 'Z') {
        if (c == null) {
          c = text.toCharArray();
        }
        c[i] = (char) (x + 32);
      }
    }
    return c == null ? text : new String(c);
  }

  private static void exfiltrationLinks(String text, List<Hit> hits) {
    if (text.indexOf("://") < 0) {
      return;
    }
    boolean stealth = STEALTH.matcher(asciiLower(text)).find();
    List<int[]> imageSpans = new ArrayList<>();
    imageUrls(MARKDOWN_IMAGE_URL.matcher(text), 1, text, stealth, imageSpans, hits);
    if (text.indexOf("<img") >= 0 || text.indexOf("<IMG") >= 0) {
      imageUrls(HTML_IMAGE_URL.matcher(text), 1, text, stealth, imageSpans, hits);
    }
    if (text.indexOf("![") >= 0 && text.indexOf("]:") >= 0) {
      referenceImages(text, stealth, imageSpans, hits);
    }
    Matcher u = URL.matcher(text);
    int links = 0;
    while (links < MAX_MATCHES_PER_RULE && u.find()) {
      if (inside(imageSpans, u.start())) {
        continue; // already reported as an image
      }
      if (TEMPLATE.matcher(u.group()).find()) {
        links++;
        hits.add(new Hit(LINK, CATEGORY_DATA_EXFILTRATION, stealth ? SEVERITY_HIGH : SEVERITY_MEDIUM,
            stealth ? 0.85f : 0.65f, u.start(), u.end(), "", Hit.excerptOf(u.group()), stealth
                ? "a link whose URL carries a placeholder for data, with an instruction to keep quiet about it"
                : "a link whose URL carries a placeholder for data to be filled in"));
      }
    }
  }

  // Images are fetched by the renderer without a click: a placeholder in the URL is data sent out.
  private static void imageUrls(Matcher m, int urlGroup, String text, boolean stealth, List<int[]> spans,
      List<Hit> hits) {
    int images = 0;
    while (images < MAX_MATCHES_PER_RULE && m.find()) {
      if (imageHit(m.group(urlGroup), m.start(), m.end(), text, stealth, hits)) {
        images++;
        spans.add(new int[] {m.start(), m.end()});
      }
    }
  }

  // ![alt][ref] with its definition "[ref]: URL" elsewhere in the text: the finding spans the definition.
  private static void referenceImages(String text, boolean stealth, List<int[]> spans, List<Hit> hits) {
    java.util.Set<String> used = new java.util.HashSet<>();
    Matcher r = IMAGE_REFERENCE.matcher(text);
    while (used.size() < 16 && r.find()) {
      used.add(r.group(1).trim().toLowerCase(java.util.Locale.ROOT));
    }
    Matcher d = REFERENCE_DEFINITION.matcher(text);
    int images = 0;
    while (images < MAX_MATCHES_PER_RULE && d.find()) {
      if (used.contains(d.group(1).trim().toLowerCase(java.util.Locale.ROOT))
          && imageHit(d.group(2), d.start(), d.end(), text, stealth, hits)) {
        images++;
        spans.add(new int[] {d.start(), d.end()});
      }
    }
  }

  private static boolean imageHit(String url, int start, int end, String text, boolean stealth, List<Hit> hits) {
    boolean templated = TEMPLATE.matcher(url).find() || PLACEHOLDER_VALUE.matcher(url).find();
    boolean sensitive = SENSITIVE_PARAM.matcher(url).find();
    boolean query = url.indexOf('?') >= 0 || url.indexOf('=') >= 0;
    Severity sev;
    float score;
    String why;
    if (templated) {
      sev = SEVERITY_HIGH;
      score = stealth ? 0.95f : 0.85f;
      why = "an image whose URL carries a placeholder for data: rendering it sends the data out";
    } else if (stealth && (sensitive || query)) {
      sev = sensitive ? SEVERITY_HIGH : SEVERITY_MEDIUM;
      score = sensitive ? 0.85f : 0.6f;
      why = "an image whose URL carries parameters, with an instruction to keep quiet about it";
    } else if (sensitive) {
      sev = SEVERITY_LOW;
      score = 0.3f;
      why = "an image whose URL carries a data parameter";
    } else {
      return false;
    }
    hits.add(new Hit(MARKDOWN_IMAGE, CATEGORY_DATA_EXFILTRATION, sev, score, start, end, "",
        Hit.excerptOf(text.substring(start, end)), why));
    return true;
  }

  private static boolean inside(List<int[]> spans, int at) {
    for (int[] s : spans) {
      if (at >= s[0] && at < s[1]) {
        return true;
      }
    }
    return false;
  }
}
