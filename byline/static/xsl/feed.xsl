<?xml version="1.0" encoding="utf-8"?>
<!-- Byline: an RSS 2.0 or Atom feed opened in a browser, shown as a page that says what a feed
     is and lists its posts. Feed readers ignore this; browsers apply it because the feed points
     here with <?xml-stylesheet?> (byline/feeds/generators.py), and pick up the site's
     stylesheet named by the feed's <?byline-stylesheet?> instruction. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="css" select="substring-before(substring-after(/processing-instruction('byline-stylesheet'), 'href=&quot;'), '&quot;')"/>
  <xsl:variable name="is-atom" select="boolean(/atom:feed)"/>
  <xsl:variable name="title">
    <xsl:choose>
      <xsl:when test="$is-atom"><xsl:value-of select="/atom:feed/atom:title"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="/rss/channel/title"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="site">
    <xsl:choose>
      <xsl:when test="$is-atom"><xsl:value-of select="/atom:feed/atom:link[@rel='alternate' or not(@rel)][1]/@href"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="/rss/channel/link"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="self">
    <xsl:choose>
      <xsl:when test="$is-atom"><xsl:value-of select="/atom:feed/atom:link[@rel='self']/@href"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="/rss/channel/atom:link[@rel='self']/@href"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="language">
    <xsl:choose>
      <xsl:when test="/rss/channel/language"><xsl:value-of select="substring-before(concat(/rss/channel/language, '-'), '-')"/></xsl:when>
      <xsl:when test="/atom:feed/@xml:lang"><xsl:value-of select="substring-before(concat(/atom:feed/@xml:lang, '-'), '-')"/></xsl:when>
      <xsl:otherwise>en</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:template match="/">
    <html lang="{$language}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <xsl:if test="$css != ''"><link rel="stylesheet" href="{$css}"/></xsl:if>
      </head>
      <body class="feed-page">
        <header class="masthead">
          <div class="masthead-inner">
            <a class="site-name" href="{$site}"><xsl:value-of select="$title"/></a>
          </div>
        </header>
        <div class="layout">
          <main id="main">
            <p class="kicker">Web feed</p>
            <h1><xsl:value-of select="$title"/></h1>
            <xsl:variable name="about" select="/rss/channel/description | /atom:feed/atom:subtitle"/>
            <xsl:if test="string($about) != ''"><p class="standfirst"><xsl:value-of select="$about"/></p></xsl:if>
            <div class="feed-about">
              <p>This is a web feed. To follow new posts in a feed reader, give it this page's
                address<xsl:if test="$self != ''">: <code><xsl:value-of select="$self"/></code></xsl:if>.</p>
              <p><a href="{$site}">Read the posts on the site</a></p>
            </div>
            <section aria-labelledby="feed-items">
              <h2 id="feed-items" class="section-heading">Latest posts</h2>
              <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
            </section>
          </main>
        </div>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <article class="post-summary">
      <h3 class="post-summary-title"><a href="{link}"><xsl:value-of select="title"/></a></h3>
      <!-- RFC 822: "Wed, 13 Jul 2011 12:00:00 +0000"; the day, month and year. -->
      <xsl:if test="pubDate"><p class="post-summary-meta"><xsl:value-of select="substring(pubDate, 6, 11)"/></p></xsl:if>
      <xsl:if test="description"><p class="post-summary-excerpt"><xsl:value-of select="description"/></p></xsl:if>
    </article>
  </xsl:template>

  <xsl:template match="atom:entry">
    <article class="post-summary">
      <h3 class="post-summary-title"><a href="{atom:link[@rel='alternate' or not(@rel)][1]/@href}"><xsl:value-of select="atom:title"/></a></h3>
      <xsl:variable name="when" select="(atom:published | atom:updated)[1]"/>
      <xsl:if test="$when"><p class="post-summary-meta"><time datetime="{$when}"><xsl:value-of select="substring($when, 1, 10)"/></time></p></xsl:if>
      <xsl:if test="atom:summary"><p class="post-summary-excerpt"><xsl:value-of select="atom:summary"/></p></xsl:if>
    </article>
  </xsl:template>
</xsl:stylesheet>
